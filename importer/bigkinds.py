"""BigKinds (빅카인즈) news-search Excel export: its header, with the spellings that vary
between export versions, and one row -> Record.

Columns: 뉴스 식별자, 일자 (yyyymmdd), 언론사, 기고자, 제목, 통합 분류1-3, 사건/사고 분류1-3,
인물, 위치, 기관, 키워드, 특성추출(가중치순 상위 50개), 본문 (the first ~200 characters),
URL, 분석제외 여부. Rows that BigKinds marks in 분석제외 여부 (중복, 예외) are left out, as
BigKinds leaves them out of its own analyses.
"""
import re

from importer.readers import FileError
from importer.records import (MAX_TITLE, BadRow, Excluded, Record, check, clean_line, clean_text, clean_url,
                              parse_day, split_list)

# normalised header -> field; several columns may feed one list field
HEADERS = {
    "뉴스식별자": "source_ref", "일자": "date", "언론사": "outlet", "기고자": "author", "제목": "title",
    "통합분류1": "categories", "통합분류2": "categories", "통합분류3": "categories",
    "사건사고분류1": "events", "사건사고분류2": "events", "사건사고분류3": "events",
    "인물": "people", "위치": "places", "기관": "organisations", "키워드": "keywords", "특성추출": "features",
    "본문": "text", "url": "url", "분석제외여부": "excluded",
}
REQUIRED = ("date", "title")
LIST_FIELDS = ("people", "places", "organisations", "keywords", "features")
NOT_EXCLUDED = {"", "n", "no", "0", "false", "-", "아니오", "아니요", "해당없음", "미제외"}
HEADER_SEARCH_ROWS = 10  # the header is the first row; some saved copies have a title row above it


def normalise_header(name):
    """'뉴스 식별자' / '뉴스식별자', '사건/사고 분류1', '특성추출(가중치순 상위 50개)', 'URL' -> one key each."""
    text = re.sub(r"\(.*?\)|\[.*?\]", "", clean_text(name, 200))
    return re.sub(r"[\s/_·]+", "", text).lower()


def header_fields(values):
    """{field: [column indexes]} when `values` is a BigKinds header row, else None."""
    fields = {}
    for index, name in enumerate(values or ()):
        field = HEADERS.get(normalise_header(name))
        if field:
            fields.setdefault(field, []).append(index)
    return fields if all(f in fields for f in REQUIRED) else None


def records(reader, kind="news"):
    """Yield (row number, Record | BadRow | Excluded) for every non-blank data row."""
    rows = reader.rows()
    fields = None
    for number, values in rows:
        if isinstance(values, (dict, BadRow)):
            raise FileError("BigKinds 자료는 엑셀(.xlsx) 또는 CSV 파일입니다 / BigKinds exports are .xlsx or .csv")
        fields = header_fields(values)
        if fields or number >= HEADER_SEARCH_ROWS:
            break
    if not fields:
        raise FileError(f"BigKinds 머리글을 찾지 못했습니다 / no BigKinds header: the first {HEADER_SEARCH_ROWS} rows "
                        "have no '일자' and '제목' columns. BigKinds 뉴스 검색의 '엑셀 다운로드' 파일인지 확인하세요.")
    for number, values in rows:
        if not any(v not in (None, "") for v in values):
            continue
        try:
            yield number, to_record(number, values, fields, kind)
        except BadRow as exc:
            yield number, exc


def to_record(number, values, fields, kind="news"):
    def cells(field):
        return [values[i] for i in fields.get(field, ()) if i < len(values)]

    def first(field):
        found = cells(field)
        return found[0] if found else None

    flag = clean_line(first("excluded"), 50)
    if flag.lower() not in NOT_EXCLUDED:
        return Excluded(flag)
    published_at = parse_day(first("date"))
    metadata = {"categories": [c for c in (clean_line(v, 100) for v in cells("categories")) if c],
                "events": [e for e in (clean_line(v, 100) for v in cells("events")) if e],
                **{name: split_list(first(name)) for name in LIST_FIELDS}}
    return check(Record(
        row=number, title=clean_line(first("title"), MAX_TITLE), published_at=published_at,
        outlet=clean_line(first("outlet")) or None, author=clean_line(first("author")) or None,
        url=clean_url(first("url")), text=clean_text(first("text")), source_ref=clean_line(first("source_ref"), 100) or None,
        kind=kind, metadata={k: v for k, v in metadata.items() if v}))
