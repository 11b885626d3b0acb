"""The `watchlists` table: a saved search (name, search text, filters) that staff follow on
the 관심 목록 tab, with an optional spike alert mail (watchlists/alerts.py).

The search text is checked with the search box's own parser (store/search.py); the filters
are those of the dashboard's filter bar, stored under the API's parameter names (region,
topic, sentiment, source_kind, outlet) and checked like API parameters (export/params.py).
Errors are WatchlistError (a QueryError) with a one-line Korean / English message.
"""
import re
import sqlite3

from export.params import parse_filters
from store.errors import QueryError
from store.search import parse as parse_search_text
from store.util import dumps, loads, utc_now, write_transaction
from vocabulary import SENTIMENT_KO, SOURCE_KIND_KO, TOPICS

# stored filter key -> (dashboard URL key, Korean name)
FILTER_KEYS = {"region": ("region", "지역"), "topic": ("topic", "주제"), "sentiment": ("sentiment", "논조"),
               "source_kind": ("kind", "출처 유형"), "outlet": ("outlet", "매체·기관")}
MAX_NAME, MAX_OUTLET, MAX_RECIPIENTS = 60, 200, 20
EMAIL = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class WatchlistError(QueryError):
    """Input a person can fix; the message says what and how (Korean / English)."""


class WatchlistNotFound(WatchlistError):
    """No watchlist has this id or name (the API answers 404)."""


def check_name(name):
    text = " ".join(_CONTROL.sub(" ", str(name or "")).split())
    if not text:
        raise WatchlistError("관심 목록 이름을 입력해 주세요 / a watchlist needs a name")
    if len(text) > MAX_NAME:
        raise WatchlistError(f"이름이 너무 깁니다 (최대 {MAX_NAME}자, 입력 {len(text)}자) / "
                             f"name too long: {len(text)} characters (at most {MAX_NAME})")
    return text


def check_filters(filters):
    """{key: [values]} with known keys and values only (empty lists dropped)."""
    filters = filters or {}
    unknown = sorted(set(filters) - set(FILTER_KEYS))
    if unknown:
        raise WatchlistError(f"알 수 없는 필터 / unknown filter(s): {', '.join(unknown)} "
                             f"(allowed: {', '.join(FILTER_KEYS)})")
    clean = {}
    for key in FILTER_KEYS:
        values = [_CONTROL.sub(" ", str(v)).strip() for v in filters.get(key) or []]
        values = list(dict.fromkeys(v for v in values if v))
        if any(len(v) > MAX_OUTLET for v in values):
            raise WatchlistError(f"{FILTER_KEYS[key][1]} 값이 너무 깁니다 / a {key} value is too long")
        if values:
            clean[key] = values
    try:
        parse_filters(clean)  # the API's check: known regions, topics, sentiments, source kinds
    except QueryError as exc:
        raise WatchlistError(str(exc)) from None
    return clean


def check_recipients(recipients):
    """'a@x.kr, b@y.kr' or a list -> list of addresses."""
    if isinstance(recipients, str):
        recipients = re.split(r"[,;\s]+", recipients)
    emails = list(dict.fromkeys(e.strip() for e in recipients or [] if e and e.strip()))
    bad = [e for e in emails if not EMAIL.match(e) or len(e) > 254]
    if bad:
        raise WatchlistError(f"이메일 주소가 올바르지 않습니다: {bad[0][:80]} / invalid e-mail address")
    if len(emails) > MAX_RECIPIENTS:
        raise WatchlistError(f"수신자는 {MAX_RECIPIENTS}명까지입니다 / at most {MAX_RECIPIENTS} recipients")
    return emails


def check(name, query, filters):
    """(name, query, filters) cleaned; WatchlistError for what cannot be saved."""
    name, query = check_name(name), " ".join(str(query or "").split())
    parse_search_text(query)  # SearchError (a QueryError): "검색식 오류: ..."
    filters = check_filters(filters)
    if not query and not filters:
        raise WatchlistError("검색어나 필터를 하나 이상 정해 주세요 (전체 기사는 개요 탭에서 봅니다) / "
                             "a watchlist needs a search text or at least one filter")
    return name, query, filters


def add(db, name, query="", filters=None, alert=False, recipients=None):
    """Save a new watchlist; returns it as a dict."""
    name, query, filters = check(name, query, filters)
    emails, now = check_recipients(recipients), utc_now()
    try:
        with write_transaction(db):
            cursor = db.execute(
                "INSERT INTO watchlists (name, query, filters, alert, recipients, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", [name, query, dumps(filters), int(bool(alert)), dumps(emails), now, now])
    except sqlite3.IntegrityError:
        raise WatchlistError(f"같은 이름의 관심 목록이 이미 있습니다: {name} / a watchlist named {name!r} exists") from None
    return get(db, cursor.lastrowid)


def update(db, ref, alert=None, recipients=None):
    """Turn the alert on or off and/or set its recipients."""
    wl = get(db, ref)
    alert = wl["alert"] if alert is None else bool(alert)
    emails = wl["recipients"] if recipients is None else check_recipients(recipients)
    with write_transaction(db):
        db.execute("UPDATE watchlists SET alert = ?, recipients = ?, updated_at = ? WHERE id = ?",
                   [int(alert), dumps(emails), utc_now(), wl["id"]])
    return get(db, wl["id"])


def _row(r):
    return dict(r, filters=loads(r["filters"], {}), recipients=loads(r["recipients"], []), alert=bool(r["alert"]))


def all_watchlists(db, alert_only=False):
    sql = "SELECT * FROM watchlists" + (" WHERE alert = 1" if alert_only else "") + " ORDER BY name"
    return [_row(r) for r in db.query(sql)]


def get(db, ref):
    """A watchlist by id (a number) or name; WatchlistError when there is none."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        rows = list(db.query("SELECT * FROM watchlists WHERE id = ?", [int(ref)]))
    else:
        rows = []
    rows = rows or list(db.query("SELECT * FROM watchlists WHERE name = ?", [check_name(ref)]))
    if not rows:
        raise WatchlistNotFound(f"관심 목록이 없습니다: {str(ref)[:80]} / no watchlist {str(ref)[:80]!r}")
    return _row(rows[0])


def delete(db, ref):
    """Delete a watchlist and its alert log; returns the deleted watchlist."""
    wl = get(db, ref)
    with write_transaction(db):
        db.execute("DELETE FROM watchlist_alerts WHERE watchlist_id = ?", [wl["id"]])
        db.execute("DELETE FROM watchlists WHERE id = ?", [wl["id"]])
    return wl


def to_filters(wl, date_from=None, date_to=None):
    """store.queries.Filters of a watchlist over [date_from, date_to]."""
    return parse_filters({**wl["filters"], "q": wl["query"] or None, "from": date_from, "to": date_to})


def from_dashboard(state):
    """The filters of a dashboard state (dashboard/state.py) in the stored form."""
    return {key: list(state.get(url_key) or []) for key, (url_key, _) in FILTER_KEYS.items() if state.get(url_key)}


def dashboard_state(wl):
    """The dashboard state keys (q, region, kind ...) that show a watchlist's documents."""
    return {"q": wl["query"], **{FILTER_KEYS[key][0]: values for key, values in wl["filters"].items()}}


def describe(query, filters):
    """One Korean line: '검색어: 예산 OR 인력 · 지역: 서울, 부산 · 논조: 부정'."""
    names = {"topic": TOPICS, "sentiment": SENTIMENT_KO, "source_kind": SOURCE_KIND_KO}
    parts = [f"검색어: {query}"] if query else []
    for key, values in (filters or {}).items():
        shown = [names.get(key, {}).get(v, v) for v in values]
        parts.append(f"{FILTER_KEYS[key][1]}: {', '.join(shown)}")
    return " · ".join(parts) or "조건 없음"
