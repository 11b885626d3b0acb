"""Gather a week's numbers for the digest from the shared queries (no SQL of its own).

`build_digest(db, week, region=None)` returns a plain dict that render.py turns into HTML
and text. Weeks are ISO weeks ('2026-W47', Monday..Sunday, Korean local dates).
"""
import datetime as dt
import re
import urllib.parse

from analysis.spikes import describe
from events.table import week_events
from vocabulary import NATIONAL, TOPICS
from store.queries import Filters, QueryError, counts, list_spikes, search_documents, top_stories, totals
from store.util import KST

CHART_WEEKS = 12
MAX_SPIKES = 8


def parse_week(text):
    """'2026-W47' -> (monday, sunday) dates; QueryError with the expected form otherwise."""
    match = re.fullmatch(r"(\d{4})-?W(\d{1,2})", (text or "").strip(), flags=re.I)
    if not match:
        raise QueryError(f"week must look like 2026-W47, not {text!r}")
    try:
        monday = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise QueryError(f"{text!r} is not a valid ISO week") from None
    return monday, monday + dt.timedelta(days=6)


def week_id(day):
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def last_complete_week(now=None):
    """The ISO week before the current one (Korean time): what Monday's digest reports."""
    today = (now or dt.datetime.now(KST)).astimezone(KST).date()
    return week_id(today - dt.timedelta(days=7))


def korean_week_label(monday):
    """'2026년 11월 3주차': a week belongs to the month holding its Thursday and is that
    month's n-th week counted by Thursdays (the ISO 8601 / KS X ISO 8601 rule)."""
    thursday = monday + dt.timedelta(days=3)
    return f"{thursday.year}년 {thursday.month}월 {(thursday.day - 1) // 7 + 1}주차"


def _change(now, before):
    if before in (None, 0) or now is None:
        return None
    return (now - before) / before


def _story(s):
    return {"title": s["title"], "url": s["url"], "outlets": s["outlets"], "articles": s["articles"],
            "lead_outlet": s["lead_outlet"], "sentiment": s["sentiment"],
            "topics": [TOPICS.get(t, t) for t in s["topics"]], "regions": s["regions"]}


def _section(db, monday, sunday, limit, regions=None):
    """Numbers and stories for the week, optionally limited to regions."""
    week = Filters(date_from=monday.isoformat(), date_to=sunday.isoformat(), regions=regions)
    prev = week.replace(date_from=(monday - dt.timedelta(days=7)).isoformat(),
                        date_to=(monday - dt.timedelta(days=1)).isoformat())
    now, before = totals(db, week), totals(db, prev)
    return {
        "totals": now, "previous": before,
        "change": {k: _change(now[k], before[k]) for k in ("articles", "stories", "outlets")},
        "negative_change": (now["negative_share"] - before["negative_share"])
        if now["negative_share"] is not None and before["negative_share"] is not None else None,
        "top": [_story(s) for s in top_stories(db, week, limit=limit)],
        "critical": [dict(_story(s), sentiment="negative")
                     for s in top_stories(db, week, limit=limit, sentiment="negative")],
    }


def _weekly_series(db, monday):
    first = monday - dt.timedelta(weeks=CHART_WEEKS - 1)
    rows = {r["period"]: r for r in counts(db, by="week", filters=Filters(
        date_from=first.isoformat(), date_to=(monday + dt.timedelta(days=6)).isoformat()))}
    series = []
    for i in range(CHART_WEEKS):
        start = (first + dt.timedelta(weeks=i)).isoformat()
        r = rows.get(start, {})
        series.append({"week": start, "articles": r.get("articles", 0), "negative_share": r.get("negative_share")})
    return series


def _rising_topics(db, monday, limit=5):
    """Topics whose article count this week beat their average of the 4 weeks before."""
    f = Filters(date_from=(monday - dt.timedelta(weeks=4)).isoformat(),
                date_to=(monday + dt.timedelta(days=6)).isoformat())
    this_week, history = {}, {}
    for r in counts(db, by="week", group="topic", filters=f):
        target = this_week if r["period"] == monday.isoformat() else history
        target[r["topic"]] = target.get(r["topic"], 0) + r["articles"]
    rising = []
    for topic, n in this_week.items():
        avg = history.get(topic, 0) / 4
        if n >= 3 and n > avg * 1.2:
            rising.append({"topic": TOPICS.get(topic, topic), "articles": n, "average": avg,
                           "change": _change(n, avg)})
    return sorted(rising, key=lambda r: (r["articles"] - r["average"]), reverse=True)[:limit]


def _distinctive_terms(db, monday, sunday, region=None, limit=8):
    """The week's most distinctive terms against the week before (analysis/keywords.py),
    those scoring above chance (z > 1.96)."""
    from analysis.keywords import distinctive_terms
    f = Filters(date_from=monday.isoformat(), date_to=sunday.isoformat(), regions=[region] if region else None)
    return [t for t in distinctive_terms(db, f, "previous", n=limit)["terms"] if t["z"] > 1.96]


def _region_lines(db, monday, first_region=None):
    f = Filters(date_from=(monday - dt.timedelta(days=7)).isoformat(),
                date_to=(monday + dt.timedelta(days=6)).isoformat())
    lines = {}
    for r in counts(db, by="week", group="region", filters=f):
        line = lines.setdefault(r["region"], {"region": r["region"], "articles": 0, "previous": 0,
                                              "negative_share": None})
        if r["period"] == monday.isoformat():
            line.update(articles=r["articles"], negative_share=r["negative_share"])
        else:
            line["previous"] = r["articles"]
    ordered = sorted(lines.values(), key=lambda x: (x["region"] != first_region, x["region"] == NATIONAL,
                                                    -x["articles"], x["region"]))
    return [x for x in ordered if x["articles"] or x["previous"]]


def dashboard_link(base_url, monday, sunday, region=None):
    """The dashboard's own URL state (dashboard/state.py): ?start=&end=&region=."""
    query = {"start": monday.isoformat(), "end": sunday.isoformat()}
    if region:
        query["region"] = region
    return f"{base_url.rstrip('/')}/?{urllib.parse.urlencode(query)}"


def build_digest(db, week, region=None, dashboard_url="http://127.0.0.1:8050", top=5, civic=8,
                 subject_prefix="[자치경찰 언론 모니터]"):
    monday, sunday = parse_week(week)
    label = korean_week_label(monday)
    civic_rows, civic_total = search_documents(db, Filters(
        date_from=monday.isoformat(), date_to=sunday.isoformat(), source_kinds=["civic"]), limit=civic)
    # strongest first, the recipient's region before the rest; the dashboard lists them all
    spikes = sorted(list_spikes(db, monday.isoformat(), sunday.isoformat()),
                    key=lambda s: (not (region and s["scope"] == "region" and s["key"] == region), -s["zscore"]))
    return {
        "week": week_id(monday), "monday": monday.isoformat(), "sunday": sunday.isoformat(),
        "label": label, "region": region,
        "subject": f"{subject_prefix} {label} 주간 동향 ({monday:%m.%d}~{sunday:%m.%d})"
                   + (f" · {region}" if region else ""),
        "national": _section(db, monday, sunday, top),
        "regional": _section(db, monday, sunday, top, regions=[region]) if region else None,
        "series": _weekly_series(db, monday),
        "spikes": [dict(s, text=describe(s)) for s in spikes[:MAX_SPIKES]],
        "spikes_total": len(spikes),
        "events": week_events(db, monday, sunday, region),
        "civic": [{"title": r["title"], "url": r["url"], "outlet": r["outlet"], "pub_date": r["pub_date"]}
                  for r in civic_rows],
        "civic_total": civic_total,
        "rising": _rising_topics(db, monday),
        "terms": _distinctive_terms(db, monday, sunday, region),
        "regions": _region_lines(db, monday, region),
        "dashboard_url": dashboard_link(dashboard_url, monday, sunday, region),
    }
