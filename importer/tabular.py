"""Research CSV / JSONL files (e.g. a Media Cloud story list): a column map with defaults.

    --map title=headline,date=publish_date,url=link,text=body,outlet=media_name

Targets not given are looked up among common column names (English and Korean, any case);
title and date are required. A BigKinds export saved as CSV is read by `import bigkinds`.
"""
import re

from importer.readers import FileError
from importer.records import MAX_TITLE, BadRow, Record, check, clean_line, clean_text, clean_url, parse_day
from vocabulary import SOURCE_KINDS

DEFAULTS = {
    "title": ("title", "headline", "제목"),
    "date": ("date", "publish_date", "published_at", "pub_date", "publication_date", "published", "일자", "날짜"),
    "url": ("url", "link", "링크", "주소"),
    "text": ("text", "body", "content", "snippet", "description", "본문", "내용"),
    "outlet": ("outlet", "media_name", "media", "publisher", "source", "언론사", "매체"),
    "author": ("author", "authors", "byline", "기고자", "기자"),
    "id": ("id", "stories_id", "story_id", "뉴스식별자"),
    "kind": ("kind", "source_kind"),
}
REQUIRED = ("title", "date")


def _key(name):
    return re.sub(r"[\s_]+", "", str(name or "")).lower()


def parse_map(text):
    """'title=headline,date=publish_date' -> {'title': 'headline', 'date': 'publish_date'}."""
    mapping = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        target, sep, column = part.partition("=")
        target = target.strip()
        if not sep or not column.strip():
            raise FileError(f"--map 항목은 대상=열이름 형식입니다 / --map items are target=column, not {part!r}")
        if target not in DEFAULTS:
            raise FileError(f"--map: 알 수 없는 대상 / unknown target {target!r}; one of {', '.join(DEFAULTS)}")
        mapping[target] = column.strip()
    return mapping


def resolve(columns, explicit):
    """{target: column name in the file} from the explicit map and the defaults."""
    by_key = {}
    for column in columns:
        by_key.setdefault(_key(column), column)
    resolved = {}
    for target, candidates in DEFAULTS.items():
        if target in explicit:
            column = explicit[target] if explicit[target] in columns else by_key.get(_key(explicit[target]))
            if column is None:
                raise FileError(f"--map {target}={explicit[target]}: 그런 열이 없습니다 / no such column. "
                                f"columns: {', '.join(map(str, columns))[:500]}")
            resolved[target] = column
            continue
        column = next((by_key[_key(c)] for c in candidates if _key(c) in by_key), None)
        if column is not None:
            resolved[target] = column
    missing = [t for t in REQUIRED if t not in resolved]
    if missing:
        raise FileError(f"{', '.join(missing)} 열을 찾지 못했습니다 / no column for {', '.join(missing)}: "
                        f"use --map {missing[0]}=COLUMN. columns: {', '.join(map(str, columns))[:500]}")
    return resolved


def records(reader, column_map=None, kind="news"):
    """Yield (row number, Record | BadRow) for every non-blank data row."""
    resolved = None
    header = None
    for number, values in reader.rows():
        if isinstance(values, BadRow):
            yield number, values
            continue
        if isinstance(values, dict):
            if resolved is None:
                resolved = resolve(list(values), column_map or {})
            get = values.get
        else:
            if header is None:
                header = [clean_text(v, 200) for v in values]
                resolved = resolve(header, column_map or {})
                index = {name: i for i, name in reversed(list(enumerate(header)))}
                continue
            if not any(str(v).strip() for v in values):
                continue
            get = lambda name, _v=values: _v[index[name]] if index[name] < len(_v) else None  # noqa: E731
        try:
            yield number, to_record(number, {t: get(c) for t, c in resolved.items()}, kind)
        except BadRow as exc:
            yield number, exc
    if resolved is None:
        raise FileError("파일에 자료가 없습니다 / the file has no header or rows")


def to_record(number, cells, kind="news"):
    row_kind = clean_line(cells.get("kind"), 20) or kind
    if row_kind not in SOURCE_KINDS:
        raise BadRow(f"알 수 없는 출처 유형 / unknown kind {row_kind!r} (one of {', '.join(SOURCE_KINDS)})")
    authors = cells.get("author")
    if isinstance(authors, list):  # JSON arrays of names
        authors = ", ".join(map(str, authors))
    return check(Record(
        row=number, title=clean_line(cells.get("title"), MAX_TITLE), published_at=parse_day(cells.get("date")),
        outlet=clean_line(cells.get("outlet")) or None, author=clean_line(authors) or None,
        url=clean_url(cells.get("url")), text=clean_text(cells.get("text")),
        source_ref=clean_line(cells.get("id"), 100) or None, kind=row_kind))
