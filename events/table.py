"""The `events` table: collected events upserted by (source, external_id), staff notes
added, edited and deleted by people, and the reads the dashboard, digest and export share.

Dates are Korean calendar dates 'YYYY-MM-DD'. region is one of vocabulary.ALL_REGIONS or
NULL for the whole country. Every string is cleaned here (control characters out, length
capped, only http(s) links), so no caller can store a hostile value.
"""
import datetime as dt
import json
import logging
import re

from store.util import utc_now, write_transaction
from vocabulary import ALL_REGIONS, NATIONAL

KINDS = {"bill": "법률안", "law": "법률", "decree": "시행령·규정", "milestone": "주요 일정",
         "staff_note": "담당자 메모"}
SOURCES = {"assembly": "국회 의안정보시스템", "lawinfo": "국가법령정보센터", "config": "config/events.toml",
           "staff": "담당자 입력"}
MAX_TITLE, MAX_NOTE, MAX_URL, MAX_AUTHOR = 300, 2000, 2000, 80
FIELDS = ("date", "kind", "title", "url", "region", "note", "detail")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
log = logging.getLogger("events")


class EventError(ValueError):
    """Input a person can fix; the message says what and how (Korean / English)."""


def check_date(value, what="date"):
    """'2024-06-05' (or a date) -> '2024-06-05'; EventError otherwise."""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value or "").strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise EventError(f"날짜 형식 오류 / invalid {what}: {text[:40]!r} (use YYYY-MM-DD, e.g. 2024-06-05)") from None


def check_url(value, strict=True):
    """An http(s) link or None. strict: EventError for anything else (people's input);
    otherwise a bad link from an API is dropped."""
    text = _CONTROL.sub("", str(value or "")).strip()
    if not text:
        return None
    if re.match(r"https?://[^\s/]+", text, flags=re.I) and len(text) <= MAX_URL and not re.search(r"\s", text):
        return text
    if strict:
        raise EventError(f"링크는 http:// 또는 https:// 주소여야 합니다 / the link must be an http(s) address: {text[:80]!r}")
    return None


def check_region(value):
    """A region name, or None for the whole country ('', '전국')."""
    text = str(value or "").strip()
    if not text or text == NATIONAL:
        return None
    if text not in ALL_REGIONS:
        raise EventError(f"알 수 없는 지역 / unknown region {text[:40]!r} (use one of {', '.join(ALL_REGIONS)})")
    return text


def clean_text(value, limit, what, required=False, strict=True):
    """Whitespace-collapsed text without control characters; too long is an error for
    people's input (strict) and cut for collected data."""
    text = re.sub(r"\s+", " ", _CONTROL.sub(" ", str(value or ""))).strip()
    if required and not text:
        raise EventError(f"{what}을(를) 입력해 주세요 / {what} is required")
    if len(text) > limit:
        if strict:
            raise EventError(f"{what}이(가) 너무 깁니다 ({len(text):,}자, 최대 {limit}자) / {what} is too long")
        text = text[:limit - 1] + "…"
    return text or None


def _row(event, strict):
    """A cleaned row from an event dict (date, kind, title, url?, region?, note?, detail?)."""
    if event.get("kind") not in KINDS:
        raise EventError(f"unknown event kind {event.get('kind')!r} (one of {', '.join(KINDS)})")
    detail = event.get("detail")
    return {"date": check_date(event.get("date")), "kind": event["kind"],
            "title": clean_text(event.get("title"), MAX_TITLE, "제목 / title", required=True, strict=strict),
            "url": check_url(event.get("url"), strict=strict),
            "region": check_region(event.get("region")),
            "note": clean_text(event.get("note"), MAX_NOTE, "메모 / note", strict=strict),
            "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None}


def upsert(db, source, external_id, event):
    """Insert or update one collected event; returns 'new', 'updated' or 'same'."""
    row = _row(event, strict=False)
    old = db.execute(f"SELECT id, {', '.join(FIELDS)} FROM events WHERE source = ? AND external_id = ?",
                     [source, external_id]).fetchone()
    now = utc_now()
    if old is None:
        db.execute(f"INSERT INTO events (source, external_id, {', '.join(FIELDS)}, created_at, updated_at) "
                   f"VALUES (?, ?, {', '.join('?' for _ in FIELDS)}, ?, ?)",
                   [source, external_id, *[row[f] for f in FIELDS], now, now])
        return "new"
    if tuple(old[1:]) == tuple(row[f] for f in FIELDS):
        return "same"
    db.execute(f"UPDATE events SET {', '.join(f'{f} = ?' for f in FIELDS)}, updated_at = ? WHERE id = ?",
               [*[row[f] for f in FIELDS], now, old[0]])
    return "updated"


def save_collected(db, source, events, prune=False):
    """Upsert `events` (dicts with external_id) of one source in one transaction; with
    prune, events of that source not in the list are deleted (a config file's milestones).
    Returns counts {'new', 'updated', 'same', 'deleted', 'rejected'}."""
    counts = {"new": 0, "updated": 0, "same": 0, "deleted": 0, "rejected": 0}
    with write_transaction(db):
        seen = set()
        for event in events:
            seen.add(event["external_id"])
            try:
                counts[upsert(db, source, event["external_id"], event)] += 1
            except EventError as exc:  # one bad record never stops the rest
                counts["rejected"] += 1
                log.warning("events: %s %s left out: %s", source, str(event["external_id"])[:80], exc)
        if prune:
            for (event_id, external_id) in db.execute("SELECT id, external_id FROM events WHERE source = ?",
                                                      [source]).fetchall():
                if external_id not in seen:
                    db.execute("DELETE FROM events WHERE id = ?", [event_id])
                    counts["deleted"] += 1
    return counts


def _author(name):
    return clean_text(name, MAX_AUTHOR, "작성자 이름 / author", required=True)


def add_note(db, date, title, author, region=None, url=None, note=None):
    """A staff note; returns its id. EventError names the bad field."""
    row = _row({"date": date, "kind": "staff_note", "title": title, "url": url, "region": region, "note": note},
               strict=True)
    author, now = _author(author), utc_now()
    with write_transaction(db):
        cur = db.execute(f"INSERT INTO events (source, {', '.join(FIELDS)}, author, updated_by, created_at, updated_at) "
                         f"VALUES ('staff', {', '.join('?' for _ in FIELDS)}, ?, ?, ?, ?)",
                         [*[row[f] for f in FIELDS], author, author, now, now])
        return cur.lastrowid


def _staff_note(db, event_id):
    row = get(db, event_id)
    if row is None:
        raise EventError(f"이벤트 {event_id}번이 없습니다 / no event with id {event_id}")
    if row["kind"] != "staff_note":
        where = ("config/events.toml을 고치세요 / edit config/events.toml" if row["source"] == "config"
                 else "수집된 이벤트는 다음 수집 때 다시 들어옵니다 / collected events come back on the next fetch")
        raise EventError(f"담당자 메모만 고치거나 지울 수 있습니다 / only staff notes can be edited or deleted "
                         f"(event {event_id} is {row['kind']}: {where})")
    return row


def update_note(db, event_id, author, **changes):
    """Change a staff note's date, title, url, region or note; `author` is recorded as
    the last editor. Returns the updated row."""
    with write_transaction(db):
        row = _staff_note(db, event_id)
        merged = {**row, **{k: v for k, v in changes.items() if v is not None}}
        clean = _row({**merged, "kind": "staff_note", "detail": None}, strict=True)
        db.execute("UPDATE events SET date = ?, title = ?, url = ?, region = ?, note = ?, updated_by = ?, "
                   "updated_at = ? WHERE id = ?",
                   [clean["date"], clean["title"], clean["url"], clean["region"], clean["note"], _author(author),
                    utc_now(), event_id])
    return get(db, event_id)


def delete_note(db, event_id):
    """Delete a staff note; returns the deleted row."""
    with write_transaction(db):
        row = _staff_note(db, event_id)
        db.execute("DELETE FROM events WHERE id = ?", [event_id])
    return row


def get(db, event_id):
    rows = list(db.query("SELECT * FROM events WHERE id = ?", [event_id]))
    return _decoded(rows[0]) if rows else None


def _decoded(row):
    row = dict(row)
    row["detail"] = json.loads(row["detail"]) if row.get("detail") else None
    return row


def where_clause(date_from=None, date_to=None, kinds=None, regions=None, with_national=False):
    """SQL conditions and parameters. regions: those regions' events ('전국' = events for
    the whole country); with_national: plus the whole country's (what a region's timeline shows)."""
    conds, params = [], []
    if date_from:
        conds.append("date >= ?")
        params.append(date_from)
    if date_to:
        conds.append("date <= ?")
        params.append(date_to)
    if kinds:
        conds.append(f"kind IN ({', '.join('?' for _ in kinds)})")
        params.extend(kinds)
    if regions:
        named = [r for r in regions if r != NATIONAL]
        parts = [f"region IN ({', '.join('?' for _ in named)})"] if named else []
        params.extend(named)
        if with_national or NATIONAL in regions:
            parts.append("region IS NULL")
        conds.append("(" + " OR ".join(parts) + ")")
    return " AND ".join(conds) or "1", params


def list_events(db, date_from=None, date_to=None, kinds=None, regions=None, with_national=False,
                limit=None, offset=0):
    """Events ordered by date, then id."""
    sql, params = where_clause(date_from, date_to, kinds, regions, with_national)
    query = f"SELECT * FROM events WHERE {sql} ORDER BY date, id"
    if limit is not None:
        query += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    return [_decoded(r) for r in db.query(query, params)]


def count_events(db, date_from=None, date_to=None, kinds=None, regions=None, with_national=False):
    sql, params = where_clause(date_from, date_to, kinds, regions, with_national)
    return db.execute(f"SELECT COUNT(*) FROM events WHERE {sql}", params).fetchone()[0]


def week_events(db, monday, sunday, region=None):
    """The digest's "이번 주 국회·법령": events dated in the week, the recipient's region's and
    the whole country's (all of them without a region), with Korean kind names."""
    rows = list_events(db, monday.isoformat(), sunday.isoformat(), regions=[region] if region else None,
                       with_national=True)
    return [{"date": e["date"], "kind": e["kind"], "kind_ko": KINDS[e["kind"]], "title": e["title"], "url": e["url"],
             "region": e["region"]} for e in rows]
