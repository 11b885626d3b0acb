"""One-off polite page fetches for the sources toolbox (`sources detect`, `sources snapshot`):
robots.txt obeyed (the crawl's User-Agent), the crawl's delay between requests to one host,
and every failure turned into one plain sentence (`FetchError`)."""
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from protego import Protego
from scrapy.http import HtmlResponse

from crawler.settings import user_agent
from crawler.spiders.base import repair_mislabelled_utf8
from crawler.url_policy import UrlPolicy, origin, resolve

MAX_BYTES = 8 * 1024 * 1024


class FetchError(Exception):
    """A page could not be fetched; the message says why, in Korean and English."""


class Fetcher:
    """The crawl's URL policy applies (crawler/url_policy.py): the first address fetched is the
    one the operator gave; links and redirects from the pages may not lead to another local or
    private address, nor anywhere but http(s)."""

    def __init__(self, crawl):
        self.agent = user_agent(crawl["contact"])
        self.timeout = float(crawl.get("timeout", 30))
        self.delay = 0.0 if crawl.get("fast") else float(crawl.get("download_delay", 5))
        self.robots, self.last = {}, {}
        self.policy = None
        self.opener = urllib.request.build_opener(_PolicyRedirects(self))

    def refuse(self, url):
        """FetchError when the URL policy does not allow `url`."""
        self.policy = self.policy or UrlPolicy([url])
        reason = self.policy.scheme_refusal(url) or self.policy.address_refusal(url, resolve(*origin(url)))
        if reason:
            raise FetchError(f"수집 정책상 가져오지 않습니다 / refused by the URL policy: {url}: {reason}")

    def get(self, url):
        """(final URL, content type, body bytes); FetchError when refused or unreachable."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"http(s) 주소가 아닙니다 / not an http(s) URL: {url}")
        self.refuse(url)
        if not self.allowed(url):
            raise FetchError(f"robots.txt가 이 주소의 수집을 막습니다 / robots.txt disallows {url}")
        return self._get(url)

    def allowed(self, url):
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self.robots:
            try:
                _, _, body = self._get(f"{site}/robots.txt")
                self.robots[site] = Protego.parse(body.decode("utf-8", "replace"))
            except FetchError as exc:
                if "HTTP 4" not in str(exc):  # no robots.txt (404, 403 …): everything allowed
                    raise FetchError(str(exc).replace(f"{site}/robots.txt", url)) from exc
                self.robots[site] = None
        rules = self.robots[site]
        return rules is None or rules.can_fetch(url, self.agent)

    def _get(self, url):
        host = urlsplit(url).netloc
        wait = self.last.get(host, 0) + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        request = urllib.request.Request(url, headers={"User-Agent": self.agent, "Accept-Language": "ko,en;q=0.5"})
        try:
            with self.opener.open(request, timeout=self.timeout) as answer:
                body = answer.read(MAX_BYTES + 1)
                final, ctype = answer.geturl(), answer.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            raise FetchError(f"서버가 HTTP {exc.code} 응답 / the server answered HTTP {exc.code} for {url}") from exc
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FetchError(f"주소에 연결할 수 없습니다 / cannot reach {url}: {reason}") from exc
        except ValueError as exc:
            raise FetchError(f"잘못된 주소 / invalid URL {url}: {exc}") from exc
        finally:
            self.last[host] = time.monotonic()
        if len(body) > MAX_BYTES:
            raise FetchError(f"페이지가 너무 큽니다 / the page is over 8 MB: {url}")
        return final, ctype, body


class _PolicyRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are checked by the fetcher's URL policy before they are followed."""

    def __init__(self, fetcher):
        self.fetcher = fetcher

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        self.fetcher.refuse(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def page_text(url, body, content_type, encoding=None):
    """The page decoded as the spiders decode it: header, <meta> charset, or a wrong UTF-8 label repaired.
    Returns (text, encoding, repaired)."""
    response = HtmlResponse(url, body=body, headers={"Content-Type": content_type or "text/html"})
    if encoding:
        response = response.replace(encoding=encoding)
        return response.text, encoding, False
    fixed = repair_mislabelled_utf8(response)
    return fixed.text, fixed.encoding, fixed is not response
