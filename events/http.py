"""One GET to an open API, every failure turned into one sentence (ApiError) that never
shows the key: messages name the endpoint without its query string."""
import socket
import urllib.error
import urllib.request
from urllib.parse import urlencode

MAX_BYTES = 8 * 1024 * 1024
USER_AGENT = "JachiPoliceMonitor/1.0 (policy events; public-opinion research on autonomous policing)"


class ApiError(Exception):
    """A collector's request failed; str() is one line for the log, `code` the API's code."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code


def get(url, params, timeout=20):
    """(content type, body bytes) of GET url?params; ApiError on HTTP errors, timeouts,
    refused connections and bodies over 8 MB."""
    full = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
    request = urllib.request.Request(full, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_BYTES + 1)
            ctype = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        raise ApiError(f"HTTP {exc.code} from {url}", code=f"HTTP-{exc.code}") from None
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ApiError(f"연결 실패 / cannot reach {url}: {reason}", code="NETWORK") from None
    if len(body) > MAX_BYTES:
        raise ApiError(f"응답이 너무 큽니다 / the answer from {url} is over {MAX_BYTES // (1024 * 1024)} MB",
                       code="TOO-LARGE")
    return ctype, body
