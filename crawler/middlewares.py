"""Retries with back-off: exponential for 5xx/timeouts, a long pause after 429 (or Retry-After)."""
from twisted.internet import reactor
from twisted.internet.task import deferLater

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message


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
