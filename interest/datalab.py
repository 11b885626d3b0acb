"""Naver DataLab search-trend API client: POST {url} with the application's keys.

Body: startDate, endDate (yyyy-mm-dd, from 2016-01-01), timeUnit (date|week|month),
keywordGroups (at most 5 of {groupName, keywords[at most 20]}), and optional device (pc|mo),
gender (m|f), ages (["1".."11"]). Optional fields are left out, never sent as null (null is a
400). The answer's `ratio` is relative: the largest value in that one request is 100.

Every failure is a DataLabError with a one-line Korean/English message; `stop` says the rest
of a run would fail the same way (keys, API not enabled, quota), so the collector stops.
"""
import datetime as dt
import hashlib
import json
import math
import os
import socket
import urllib.error
import urllib.request

from interest.config import AGES, DEVICES, FIRST_DAY, GENDERS, MAX_GROUPS, MAX_KEYWORDS, UNITS

TIMEOUT = 30
MAX_ANSWER_BYTES = 20 * 1024 * 1024  # a 10-year daily answer for 5 groups is about 1 MB


class DataLabError(Exception):
    def __init__(self, kind, message, status=None):
        super().__init__(message)
        self.kind, self.status = kind, status

    @property
    def stop(self):
        return self.kind in ("keys", "auth", "forbidden", "quota")


def keys_from_env(env=None):
    """(client id, secret) from NAVER_CLIENT_ID / NAVER_CLIENT_SECRET, or None when either is missing."""
    env = os.environ if env is None else env
    cid, secret = env.get("NAVER_CLIENT_ID", "").strip(), env.get("NAVER_CLIENT_SECRET", "").strip()
    return (cid, secret) if cid and secret else None


def build_body(start, end, unit, groups, device="all", gender="all", ages="all"):
    """The request body; `groups` = [(name, [keywords])]. ValueError for what DataLab would refuse."""
    if unit not in UNITS:
        raise ValueError(f"timeUnit must be one of {', '.join(UNITS)}, not {unit!r}")
    if not (FIRST_DAY <= start <= end):
        raise ValueError(f"dates must satisfy {FIRST_DAY} <= startDate <= endDate, not {start}..{end}")
    if not 1 <= len(groups) <= MAX_GROUPS:
        raise ValueError(f"1 to {MAX_GROUPS} keyword groups per request, not {len(groups)}")
    for name, keywords in groups:
        if not 1 <= len(keywords) <= MAX_KEYWORDS:
            raise ValueError(f"group {name!r}: 1 to {MAX_KEYWORDS} keywords, not {len(keywords)}")
    body = {"startDate": start, "endDate": end, "timeUnit": unit,
            "keywordGroups": [{"groupName": name, "keywords": list(keywords)} for name, keywords in groups]}
    if device != "all":  # optional fields only when set: null would be a 400
        if device not in DEVICES:
            raise ValueError(f"device must be pc or mo, not {device!r}")
        body["device"] = device
    if gender != "all":
        if gender not in GENDERS:
            raise ValueError(f"gender must be m or f, not {gender!r}")
        body["gender"] = gender
    if ages != "all":
        values = ages.split(",")
        if any(a not in AGES for a in values):
            raise ValueError(f"ages must be 1..11, not {ages!r}")
        body["ages"] = values
    return body


def request_hash(body):
    """A short stable id of a request body (same body, same id)."""
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()[:16]


_HINTS = {
    400: ("bad_request", "DataLab 400 잘못된 요청 / bad request"),
    401: ("auth", "DataLab 401 인증 실패 / authentication failed: check NAVER_CLIENT_ID and NAVER_CLIENT_SECRET"),
    403: ("forbidden", "DataLab 403 권한 없음 / the DataLab search-trend API is not enabled for this application "
                       "(네이버 개발자센터 → 내 애플리케이션 → API 설정에서 '데이터랩(검색어트렌드)' 추가)"),
    429: ("quota", "DataLab 429 호출 한도 초과 / call limit reached (1,000 a day per application); "
                   "the rest waits for tomorrow's run"),
}


def search(url, keys, body, timeout=TIMEOUT):
    """POST the body; the checked answer (see `check_answer`) or DataLabError."""
    if not keys:
        raise DataLabError("keys", "NAVER_CLIENT_ID / NAVER_CLIENT_SECRET 없음 / not set: search interest skipped")
    request = urllib.request.Request(
        url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"), method="POST",
        headers={"X-Naver-Client-Id": keys[0], "X-Naver-Client-Secret": keys[1],
                 "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise _http_error(exc) from None
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DataLabError("network", f"DataLab 연결 실패 / cannot reach {url}: {reason}") from None
    if len(raw) > MAX_ANSWER_BYTES:
        raise DataLabError("malformed", f"DataLab 응답 형식 오류 / malformed answer: over {MAX_ANSWER_BYTES} bytes")
    return check_answer(raw, body)


def _http_error(exc):
    try:
        detail = json.loads(exc.read(65536).decode("utf-8", "replace")).get("errorMessage")
    except (ValueError, AttributeError, OSError):
        detail = None
    detail = f" ({str(detail)[:200]})" if detail else ""
    if exc.code in _HINTS:
        kind, text = _HINTS[exc.code]
        return DataLabError(kind, text + detail, exc.code)
    if exc.code >= 500:
        return DataLabError("server", f"DataLab {exc.code} 서버 오류 / server error{detail}; retried on the next run",
                            exc.code)
    return DataLabError("http", f"DataLab HTTP {exc.code}{detail}", exc.code)


def _malformed(what):
    return DataLabError("malformed", f"DataLab 응답 형식 오류 / malformed answer: {what}")


def check_answer(raw, body):
    """{group name: {period: ratio}} from the answer bytes, checked against the request:
    every group answered once, periods are dates inside the request, ratios in 0..100."""
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _malformed(f"not JSON ({str(exc)[:80]})") from None
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
        raise _malformed("no 'results' list")
    wanted = [g["groupName"] for g in body["keywordGroups"]]
    first, last = _period_bounds(body)
    out = {}
    for result in answer["results"]:
        if not isinstance(result, dict) or result.get("title") not in wanted or result["title"] in out:
            raise _malformed(f"unexpected or repeated group {str(result.get('title') if isinstance(result, dict) else result)[:60]!r}")
        if not isinstance(result.get("data"), list):
            raise _malformed(f"group {result['title']!r} has no 'data' list")
        series = {}
        for point in result["data"]:
            period, ratio = (point.get("period"), point.get("ratio")) if isinstance(point, dict) else (None, None)
            if not (_is_day(period) and first <= period <= last) or period in series:
                raise _malformed(f"group {result['title']!r}: bad or repeated period {str(period)[:30]!r}")
            if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not math.isfinite(ratio) \
                    or not 0 <= ratio <= 100.0001:
                raise _malformed(f"group {result['title']!r} {period}: ratio {str(ratio)[:30]!r} is not in 0..100")
            series[period] = float(ratio)
        out[result["title"]] = series
    missing = [name for name in wanted if name not in out]
    if missing:
        raise _malformed(f"no answer for group(s) {', '.join(missing)}")
    return out


def _period_bounds(body):
    """(first, last) period labels a request may answer, as yyyy-mm-dd text. A week or month
    bucket may be labelled by the start of the week or month holding startDate, so those may
    start up to a bucket earlier."""
    slack = {"date": 0, "week": 6, "month": 30}[body["timeUnit"]]
    first = dt.date.fromisoformat(body["startDate"]) - dt.timedelta(days=slack)
    return first.isoformat(), body["endDate"]


def _is_day(text):
    try:
        return isinstance(text, str) and len(text) == 10 and bool(dt.date.fromisoformat(text))
    except ValueError:
        return False
