"""Awareness survey results: import a CSV, checked row by row, and read them back with
95% Wilson intervals.

Columns (English or Korean names, any order): date (조사일), region (지역), question (문항),
share (비율: 0.42 or 42%), n (표본수), source (출처), url (주소, optional). A file with any bad
row imports nothing and lists every problem as FILE:LINE; importing again replaces the rows
with the same date, region, question and source. Korean Excel's CP949 CSV is read too.
"""
import csv
import datetime as dt
import io
import re
from pathlib import Path

from interest.store import add_conditions
from store.queries import wilson_interval
from store.util import utc_now, write_transaction
from vocabulary import ALL_REGIONS

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
COLUMNS = {  # column -> accepted header names
    "date": ("date", "조사일", "날짜", "일자"),
    "region": ("region", "지역"),
    "question": ("question", "문항", "질문"),
    "share": ("share", "비율", "응답비율"),
    "n": ("n", "표본수", "표본", "응답자수"),
    "source": ("source", "출처", "조사기관"),
    "url": ("url", "주소", "링크"),
}
REQUIRED = ("date", "region", "question", "share", "n", "source")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SurveyError(ValueError):
    """The file cannot be imported; `problems` lists every bad row as 'FILE:LINE: …'."""

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.problems = list(problems)


def _text(path):
    raw = Path(path).read_bytes()[:MAX_BYTES + 1]
    if len(raw) > MAX_BYTES:
        raise SurveyError(f"{path}: 파일이 너무 큽니다 / file over {MAX_BYTES // 1024 // 1024} MB")
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SurveyError(f"{path}: UTF-8도 CP949도 아닙니다 / neither UTF-8 nor CP949 text: save it as CSV UTF-8")


def _header(path, names):
    aliases = {alias.lower(): column for column, names_ in COLUMNS.items() for alias in names_}
    mapping, unknown = {}, []
    for index, name in enumerate(names):
        column = aliases.get((name or "").strip().lower())
        if column is None or column in mapping.values():
            unknown.append(name)
        else:
            mapping[index] = column
    missing = [c for c in REQUIRED if c not in mapping.values()]
    if unknown or missing:
        raise SurveyError(f"{path}:1: 열 이름 오류 / header: "
                          + (f"unknown or repeated {', '.join(map(repr, unknown))}; " if unknown else "")
                          + (f"missing {', '.join(missing)}; " if missing else "")
                          + f"expected {', '.join(REQUIRED)}, url (or 조사일, 지역, 문항, 비율, 표본수, 출처, 주소)")
    return mapping


def _date(value, today):
    match = re.fullmatch(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})\.?", value)
    try:
        day = dt.date(int(match[1]), int(match[2]), int(match[3])) if match else None
    except ValueError:
        day = None
    if day is None or not dt.date(2000, 1, 1) <= day <= today:
        raise ValueError(f"date {value!r}: use YYYY-MM-DD, from 2000 to today")
    return day.isoformat()


def _share(value):
    text = value.replace(" ", "")
    percent = text.endswith("%")
    try:
        number = float(text.rstrip("%"))
    except ValueError:
        raise ValueError(f"share {value!r}: write 0.42 or 42%") from None
    if not percent and number > 1:
        raise ValueError(f"share {value!r} is over 1: write 0.42 or 42% (a bare number must be a fraction)")
    share = number / 100 if percent else number
    if not 0 <= share <= 1:
        raise ValueError(f"share {value!r} must be between 0 and 100%")
    return share


def _n(value):
    try:
        n = int(value.replace(",", ""))
    except ValueError:
        raise ValueError(f"n {value!r}: a whole number of respondents") from None
    if not 1 <= n <= 10_000_000:
        raise ValueError(f"n {value!r} must be between 1 and 10,000,000")
    return n


def _plain(column, value, limit):
    if not value or len(value) > limit or _CONTROL.search(value):
        raise ValueError(f"{column}: 1 to {limit} characters of plain text, not {value[:40]!r}")
    return value


def _url(value):
    if not value:
        return None
    if not re.fullmatch(r"https?://[^\s/?#]+[^\s]*", value, flags=re.I) or len(value) > 2000:
        raise ValueError(f"url {value[:60]!r}: only http(s) addresses")
    return value


def _row(raw, today):
    region = raw.get("region", "")
    if region not in ALL_REGIONS:
        raise ValueError(f"region {region!r}: use one of {', '.join(ALL_REGIONS)}")
    return {"date": _date(raw.get("date", ""), today), "region": region,
            "question": _plain("question", raw.get("question", ""), 300), "share": _share(raw.get("share", "")),
            "n": _n(raw.get("n", "")), "source": _plain("source", raw.get("source", ""), 200),
            "url": _url(raw.get("url", ""))}


def read_csv(path, today=None):
    """Checked rows of a survey CSV, or SurveyError listing every problem."""
    today = today or dt.date.today()
    reader = csv.reader(io.StringIO(_text(path), newline=""))
    mapping = _header(path, next(reader, []))
    rows, problems, seen = [], [], {}
    for line, values in enumerate(reader, 2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) + len(problems) >= MAX_ROWS:
            problems.append(f"{path}:{line}: more than {MAX_ROWS:,} rows; split the file")
            break
        raw = {mapping[i]: v.strip() for i, v in enumerate(values) if i in mapping}
        try:
            if len(values) > len(mapping) and any(v.strip() for v in values[len(mapping):]):
                raise ValueError(f"{len(values)} cells but {len(mapping)} columns")
            row = _row(raw, today)
        except ValueError as exc:
            problems.append(f"{path}:{line}: {exc}")
            continue
        key = (row["date"], row["region"], row["question"], row["source"])
        if key in seen:
            problems.append(f"{path}:{line}: same date, region, question and source as line {seen[key]}")
            continue
        seen[key] = line
        rows.append(row)
    if problems:
        raise SurveyError(f"{path}: {len(problems)}개 행 오류, 아무것도 가져오지 않음 / "
                          f"{len(problems)} bad row(s), nothing imported", problems)
    if not rows:
        raise SurveyError(f"{path}: 자료 행이 없습니다 / no data rows")
    return rows


def import_csv(db, path, today=None):
    """Import a checked file in one transaction: (new rows, replaced rows)."""
    rows = read_csv(path, today)
    new = replaced = 0
    stamp = utc_now()
    with write_transaction(db):
        for r in rows:
            key = [r["date"], r["region"], r["question"], r["source"]]
            exists = db.execute("SELECT 1 FROM surveys WHERE date = ? AND region = ? AND question = ? AND source = ?",
                                key).fetchone()
            db.execute("INSERT INTO surveys (date, region, question, share, n, source, url, imported_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (date, region, question, source) DO UPDATE SET "
                       "share = excluded.share, n = excluded.n, url = excluded.url, imported_at = excluded.imported_at",
                       [*key[:3], r["share"], r["n"], r["source"], r["url"], stamp])
            replaced += bool(exists)
            new += not exists
    return new, replaced


def surveys(db, regions=None, date_from=None, date_to=None):
    """Stored results with their 95% Wilson interval (lo, hi), oldest first."""
    where, params = [], []
    add_conditions(where, params, {"region": regions}, "date", date_from, date_to)
    sql = ("SELECT date, region, question, share, n, source, url FROM surveys"
           + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY date, region, question")
    out = []
    for r in db.query(sql, params):
        lo, hi = wilson_interval(r["share"] * r["n"], r["n"])
        out.append({**r, "lo": lo, "hi": hi})
    return out
