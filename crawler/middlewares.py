"""Downloader middlewares: the URL policy on every request (redirects included), and
retries with back-off: exponential for 5xx/timeouts, a long pause after 429 (or Retry-After)."""
from twisted.internet import reactor
from twisted.internet.task import deferLater
from twisted.internet.threads import deferToThread

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message

from crawler.spiders.base import UrlRefused
from crawler.url_policy import origin, resolve


class UrlPolicyMiddleware:
    """Refuses (UrlRefused, counted as dropped by the spider) any request, redirect or
    robots.txt fetch that is not http(s) or that goes to a non-public address other than
    the source's own host:port. Runs before the robots.txt middleware."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.addresses = {}  # (host, port) -> resolved addresses, per crawl

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request, spider=None):
        spider = spider or self.crawler.spider
        policy = spider.url_policy
        reason = policy.scheme_refusal(request.url)
        if reason is None:
            key = origin(request.url)
            if key not in self.addresses:
                self.addresses[key] = await maybe_deferred_to_future(deferToThread(resolve, *key))
            reason = policy.address_refusal(request.url, self.addresses[key])
        if reason is None:
            return None
        what = "redirect" if request.meta.get("redirect_times") else "request"
        spider.drop_url(request.url, f"{what}: {reason}")
        raise UrlRefused(reason)

    def process_response(self, request, response, spider=None):
        """A redirect Scrapy did not follow because it leads to file:, data: ... is dropped too."""
        location = response.headers.get("Location") if 300 <= response.status < 400 else None
        if location:
            target = response.urljoin(location.decode("latin-1"))
            spider = spider or self.crawler.spider
            reason = spider.url_policy.scheme_refusal(target)
            if reason:
                spider.drop_url(target, f"redirect: {reason}")
                raise UrlRefused(reason)
        return response


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("BACKOFF_BASE", 2.0)
        self.after_429 = settings.getfloat("BACKOFF_429", 30.0)

    def _delay(self, request, response=None):
        tries = request.meta.get("retry_times", 0)
        if response is not None and response.status == 429:
            header = response.headers.get("Retry-After")
            try:
                return float(header) if header is not None else self.after_429
            except ValueError:
                return self.after_429
        return min(self.base * 2 ** tries, 300.0)

    async def process_response(self, request, response):
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._sleep(self._delay(request, response))
        return retry

    async def process_exception(self, request, exception):
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await self._sleep(self._delay(request))
        return retry

    @staticmethod
    async def _sleep(seconds):
        if seconds > 0:
            await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))
