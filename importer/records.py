"""One imported row -> one document for store.documents.save_document.

Every value from a file is treated as hostile: text is cut to sane lengths and stripped of
control characters, only http(s) links are kept, dates must be real days between 1990 and
tomorrow. A row that cannot be imported raises BadRow with a Korean/English reason.
"""
import dataclasses
import datetime as dt
import hashlib
import re

from crawler.dates import SEOUL, parse_date, to_iso
from crawler.urls import canonical_url
from store.documents import NO_URL_SCHEME, match_key
from store.util import kst_date

MAX_TITLE = 500
MAX_TEXT = 100_000
MAX_NAME = 200
MAX_ITEMS = 100          # people, keywords ... per row
EARLIEST = dt.date(1990, 1, 1)
METADATA = ("categories", "events", "people", "places", "organisations", "keywords", "features")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


class BadRow(ValueError):
    """A row that cannot be imported (reason in Korean / English)."""


class Excluded:
    """A row its source marks as not for analysis (BigKinds 분석제외 여부: 중복, 예외 ...)."""

    def __init__(self, reason):
        self.reason = reason


@dataclasses.dataclass
class Record:
    row: int                   # the row number a person sees in the file (Excel row, CSV record + 1, JSONL line)
    title: str
    published_at: str          # ISO UTC
    outlet: str = None
    author: str = None
    url: str = None            # an http(s) link, or None
    text: str = ""
    source_ref: str = None     # the file's own id of the article (BigKinds 뉴스 식별자, a story id)
    kind: str = "news"
    metadata: dict = None      # METADATA name -> list of strings


def clean_text(value, limit=MAX_TEXT):
    """A cell as text: numbers without '.0', control characters removed, cut to `limit`."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _CONTROL.sub("", str(value)).strip()[:limit]


def clean_line(value, limit=MAX_NAME):
    """A one-line value (title, outlet, author): whitespace collapsed."""
    return re.sub(r"\s+", " ", clean_text(value, limit * 4)).strip()[:limit]


def parse_day(value, today=None):
    """A date cell -> ISO UTC. yyyymmdd (BigKinds), ISO or Korean dates, Excel date cells;
    a time without zone is Korean time; a day alone is midnight Korean time."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BadRow("날짜가 없습니다 / missing date")
    stamp = None
    if isinstance(value, dt.datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=SEOUL)
    elif isinstance(value, dt.date):
        stamp = dt.datetime(value.year, value.month, value.day, tzinfo=SEOUL)
    else:
        text = clean_text(value, 100)
        digits = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
        try:
            if digits:
                stamp = dt.datetime(*map(int, digits.groups()), tzinfo=SEOUL)
            elif re.search(r"(19|20)\d\d", text):  # a year, so never a relative date ('3일 전')
                iso = parse_date(text)
                stamp = dt.datetime.fromisoformat(iso.replace("Z", "+00:00")) if iso else None
        except ValueError:
            stamp = None
    if stamp is None:
        raise BadRow(f"날짜를 읽을 수 없습니다 / unparsable date: {clean_text(value, 40)!r}")
    iso = to_iso(stamp)
    day = dt.date.fromisoformat(kst_date(iso))
    today = today or dt.datetime.now(SEOUL).date()
    if not EARLIEST <= day <= today + dt.timedelta(days=1):
        raise BadRow(f"날짜가 범위를 벗어났습니다 / date out of range: {day.isoformat()}")
    return iso


def clean_url(value):
    """An http(s) link or None (javascript:, file:, bare words ... are dropped)."""
    text = clean_text(value, 2000)
    if not re.match(r"(?i)^https?://[^\s/?#]+\.[^\s/?#]+", text) or re.search(r"\s", text):
        return None
    return text


def split_list(value):
    """'홍길동,김철수, 홍길동' -> ['홍길동', '김철수'] (BigKinds joins names with commas)."""
    items = [clean_line(v, 100) for v in re.split(r"[,\n]", clean_text(value, 20_000))]
    return list(dict.fromkeys(v for v in items if v))[:MAX_ITEMS]


def check(record):
    if not record.title:
        raise BadRow("제목이 없습니다 / empty title")
    return record


def basis(record, option="auto"):
    """text_basis of a record: no text -> title; else the option (auto = snippet)."""
    if not record.text:
        return "title"
    return "snippet" if option == "auto" else option


def to_document(record, source, origin_kind, file_name, sha256, text_basis="auto"):
    """The document save_document stores for this record (without simhash and cluster)."""
    url = record.url
    try:
        canon = canonical_url(url) if url else None
    except ValueError:  # e.g. a port out of range
        url = canon = None
    if not canon:
        # no usable link: an id of its own from the file's article id, else from what it says
        ref = record.source_ref or match_key(record.title, kst_date(record.published_at), record.outlet) \
            or hashlib.sha1(f"{record.title}|{record.published_at}|{record.outlet}|{record.text[:200]}"
                            .encode("utf-8")).hexdigest()[:20]
        canon = f"{NO_URL_SCHEME}{origin_kind}:{ref}"
    return {
        "url": url or "", "canonical_url": canon, "source": source, "kind": record.kind,
        "outlet": record.outlet or None, "title": record.title, "summary": None, "body": record.text,
        "lang": "ko" if _HANGUL.search(record.title + record.text[:500]) else "en",
        "author": record.author or None, "published_at": record.published_at, "date_source": "import",
        "text_basis": basis(record, text_basis), "origin_kind": origin_kind, "import_file": file_name,
        "import_sha256": sha256, "import_row": record.row,
    }
