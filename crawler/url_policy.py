"""Which URLs the crawler may fetch and store (docs/reliability.md, "URL policy").

* Only http and https are ever fetched or stored: file:, data:, ftp:, s3:, javascript: ...
  links and redirects are dropped (Scrapy's other download handlers are also switched off
  in crawler/settings.py).
* A request to a loopback, private, link-local or otherwise non-public address (after DNS)
  is allowed only to the host:port of one of the source's own configured URLs. So a local
  test site or an intranet board configured on purpose works, while a hostile public feed
  cannot send the crawler to another port of the crawling host or into the local network.

`UrlPolicyMiddleware` (crawler/middlewares.py) applies the address rule to every request,
redirects included; the spiders drop non-http(s) links before they are followed or stored.
"""
import ipaddress
import socket
from urllib.parse import urlsplit

from store.util import is_web_url

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url):
    """(host, port) of an http(s) URL, the port made explicit."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(scheme)


def is_public_address(address):
    """False for loopback, private, link-local, shared, reserved, multicast, unspecified."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    return ip.is_global and not ip.is_multicast


def resolve(host, port):
    """Every address `host` resolves to (numeric forms like 2130706433 or 0x7f.1 included);
    [] when it does not resolve (the download then fails and is reported as usual)."""
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)})
    except (OSError, UnicodeError):
        return []


class UrlPolicy:
    """The rule for one source: `refusal(url, addresses)` is None when allowed, else why not."""

    def __init__(self, source_urls):
        self.own_origins = {origin(u) for u in source_urls if is_web_url(u)}

    def scheme_refusal(self, url):
        if is_web_url(url):
            return None
        scheme = urlsplit(str(url or "")).scheme.lower() if ":" in str(url or "") else ""
        return f"not an http(s) URL ({scheme or 'no scheme'}:)"

    def address_refusal(self, url, addresses):
        """`addresses`: what the URL's host resolves to."""
        if origin(url) in self.own_origins:
            return None
        private = [a for a in addresses if not is_public_address(a)]
        if private:
            return f"non-public address {private[0]} (only the source's own host:port may be local)"
        return None
