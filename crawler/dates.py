"""Korean (and feed/English) date strings -> ISO UTC "YYYY-MM-DDTHH:MM:SSZ".

Naive times are read in the source zone, Asia/Seoul. `parse_date` returns None when it finds
no date, so the caller can fall back to the feed/list date or the fetch time.
"""
import datetime as dt
import email.utils
import re
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

SEOUL = ZoneInfo("Asia/Seoul")
UTC = dt.timezone.utc

_KO_FULL = re.compile(
    r"(?P<y>\d{4})\s*년\s*(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일"
    r"(?:\s*\(?[월화수목금토일](?:요일)?\)?)?"
    r"(?:\s*(?P<ampm>오전|오후|낮|밤|새벽|저녁|아침)?\s*(?P<H>\d{1,2})\s*(?:시|:)\s*(?:(?P<M>\d{1,2})\s*분?)?)?"
)
_NUMERIC = re.compile(
    r"(?P<y>\d{4})\s*[.\-/]\s*(?P<m>\d{1,2})\s*[.\-/]\s*(?P<d>\d{1,2})\.?"
    r"(?:(?:T|\s*\(?[월화수목금토일]?\)?\s*\(?)\s*(?P<ampm>오전|오후|AM|PM|am|pm)?\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?\)?)?"
)
# "20240903130411" / "202409031304" / "20240903" (data-* attributes, og:regDate): the whole string only
_COMPACT = re.compile(r"^(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?:(?P<H>[0-2]\d)(?P<M>[0-5]\d)(?P<S>[0-5]\d)?)?$")
_RELATIVE = re.compile(r"(?P<n>\d+)\s*(?P<unit>초|분|시간|일|주)\s*전")
_ISO_TZ = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})")
_UNITS = {"초": "seconds", "분": "minutes", "시간": "hours", "일": "days", "주": "weeks"}
# "입력 2021.06.30 (21:36) 수정 2021.07.01 ..." -> the first (입력/등록) date wins.
_LABEL = re.compile(r"(입력|등록|작성|게재|발행|기사입력|등록일|작성일|Posted|Published)\s*[:：]?\s*", re.I)


def to_iso(stamp):
    """A datetime (naive = Seoul time) -> ISO UTC string."""
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=SEOUL)
    return stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso():
    return to_iso(dt.datetime.now(UTC))


def _hour(hour, ampm):
    hour = int(hour)
    if ampm in ("오후", "저녁", "밤", "PM", "pm") and hour < 12:
        hour += 12
    if ampm in ("오전", "새벽", "AM", "am") and hour == 12:
        hour = 0
    if ampm == "낮" and hour < 7:  # 낮 1시 is 13:00; 낮 11시 and 낮 12시 are late morning and noon
        hour += 12
    return hour


def _build(m):
    g = m.groupdict()
    hour = _hour(g["H"], g.get("ampm")) if g.get("H") else 0
    return dt.datetime(int(g["y"]), int(g["m"]), int(g["d"]), hour, int(g.get("M") or 0), int(g.get("S") or 0))


def parse_date(text, now=None):
    """Parse one date string; returns ISO UTC or None. `now` (aware) anchors relative dates."""
    if not text:
        return None
    text = re.sub(r"\s+", " ", str(text)).strip()
    label = _LABEL.search(text)
    if label:
        text = text[label.end():]
    try:
        iso = _ISO_TZ.search(text)
        if iso:
            return to_iso(dt.datetime.fromisoformat(iso.group(0).replace("Z", "+00:00")))
        for pattern in (_KO_FULL, _NUMERIC, _COMPACT):
            m = pattern.search(text)
            if m:
                return to_iso(_build(m))
        m = _RELATIVE.search(text)
        if m:
            now = now or dt.datetime.now(UTC)
            return to_iso(now - dt.timedelta(**{_UNITS[m["unit"]]: int(m["n"])}))
        if text.startswith(("방금", "just now")):
            return to_iso(now or dt.datetime.now(UTC))
        if re.match(r"^[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4}", text):  # RFC 822 (RSS)
            return to_iso(email.utils.parsedate_to_datetime(text))
        if re.search(r"[A-Za-z]{3,}", text) and re.search(r"\d{4}", text):  # "Nov 20, 2026 3:00 PM"
            return to_iso(dateutil_parser.parse(text, fuzzy=True))
    except (ValueError, OverflowError, TypeError):
        return None
    return None


def from_struct(struct):
    """feedparser's *_parsed (a UTC time.struct_time) -> ISO UTC."""
    if not struct:
        return None
    return dt.datetime(*struct[:6], tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_CLOCK = re.compile(r"\d{1,2}\s*:\s*\d{2}|\d{1,2}\s*시|\dT\d{2}|^\s*\d{12}")


def has_clock(text):
    """The date string carries a time of day (not just a date)."""
    return bool(text and _CLOCK.search(str(text)))
