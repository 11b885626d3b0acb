"""Canonical URLs: one key per article whatever link led to it.

Drops tracking parameters and fragments, maps mobile hosts/paths and known print views to
the article view, and prefers the page's own <link rel=canonical> when it is on the same site.
"""
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from store.util import is_web_url

TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|igshid|mc_cid|mc_eid|_ga|ref|referer|from|cmpid|rss|rssfeed|"
    r"sns|outlink|nv_source|ocid|ns_\w+|spm|share|oid_ref)$", re.I
)
# print views that map to the article view on the same path (CMS conventions)
PRINT_VIEWS = {"articleprint.html": "articleView.html", "print.php": "view.php", "print.html": "view.html"}


def canonical_url(url, page_canonical=None):
    """Normalise `url`; `page_canonical` (rel=canonical / og:url) wins when it is an http(s)
    URL on the same site. A `url` that is not http(s) (javascript:, file:, data: ...) raises
    ValueError, as any other junk link does."""
    if not is_web_url(url):
        raise ValueError(f"not an http(s) URL: {str(url)[:80]!r}")
    if page_canonical:
        page_canonical = urljoin(url, page_canonical.strip())
        if is_web_url(page_canonical) and _site(page_canonical) == _site(url) \
                and urlsplit(page_canonical).path not in ("", "/"):
            url = page_canonical
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    for prefix in ("m.", "mobile."):
        if host.startswith(prefix) and host.count(".") >= 2:
            host = "www." + host[len(prefix):]
    if parts.port and not (parts.scheme == "http" and parts.port == 80 or parts.scheme == "https" and parts.port == 443):
        host = f"{host}:{parts.port}"
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    path = re.sub(r"(^|/)(m|mobile)(/)", r"\1", path, count=1) if re.search(r"(^|/)(m|mobile)/", path) else path
    if not path.startswith("/"):
        path = "/" + path
    head, _, last = path.rpartition("/")
    if last.lower() in PRINT_VIEWS:
        path = f"{head}/{PRINT_VIEWS[last.lower()]}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k)]
    return urlunsplit((parts.scheme.lower() or "http", host, path, urlencode(sorted(query)), ""))


def _site(url):
    host = (urlsplit(url).hostname or "").lower()
    for prefix in ("www.", "m.", "mobile."):
        if host.startswith(prefix):
            host = host[len(prefix):]
    return host
