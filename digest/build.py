"""Gather a week's numbers for the digest from the shared queries (no SQL of its own).

`build_digest(db, week, region=None)` returns a plain dict that render.py turns into HTML
and text. Weeks are ISO weeks ('2026-W47', Monday..Sunday, Korean local dates).
"""
import datetime as dt
import re
import urllib.parse

from analysis.spikes import events as spike_events_of  # spikes grouped into events (one line each)
from events.table import week_events  # policy events (bills, laws, milestones)
from interest.series import week_summary
from vocabulary import NATIONAL, TOPICS
from store.queries import Filters, QueryError, counts, list_spikes, search_documents, top_stories, totals
from store.util import KST

CHART_WEEKS = 12
MAX_SPIKES = 8  # spike events (one line each) listed in the mail; the dashboard has them all


def parse_week(text):
    """'2026-W47' -> (monday, sunday) dates; QueryError with the expected form otherwise."""
    match = re.fullmatch(r"(\d{4})-?W(\d{1,2})", (text or "").strip(), flags=re.I)
    if not match:
        raise QueryError(f"week must look like 2026-W47, not {text!r}")
    if not 1900 <= int(match[1]) <= 2199:  # the digest also looks weeks back and ahead
        raise QueryError(f"{text!r}: the year must be between 1900 and 2199")
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
        labelled = r.get("negative", 0) + r.get("neutral", 0) + r.get("positive", 0)
        series.append({"week": start, "articles": r.get("articles", 0), "negative_share": r.get("negative_share"),
                       "labelled": labelled})
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
                                              "negative_share": None, "labelled": 0})
        if r["period"] == monday.isoformat():
            line.update(articles=r["articles"], negative_share=r["negative_share"],
                        labelled=r["negative"] + r["neutral"] + r["positive"])
        else:
            line["previous"] = r["articles"]
    ordered = sorted(lines.values(), key=lambda x: (x["region"] != first_region, x["region"] == NATIONAL,
                                                    -x["articles"], x["region"]))
    return [x for x in ordered if x["articles"] or x["previous"]]


def summary(national, regional, region, spike_events):
    """One or two Korean sentences on what changed this week (the top of the mail)."""
    section, who = (regional, f"이번 주 {region}") if regional else (national, "이번 주 전체")
    t, before, change = section["totals"], section["previous"]["articles"], section["change"]["articles"]
    text = f"{who} 관련 기사는 {t['articles']:,}건"
    if change is None:  # no articles last week: no percentage
        text += f"(지난주 {before:,}건)이었"
    elif round(change * 100):
        text += f"으로 지난주({before:,}건)보다 {abs(change) * 100:.0f}% {'늘었' if change > 0 else '줄었'}"
    else:
        text += f"으로 지난주({before:,}건)와 비슷했"
    if t["negative_share"] is not None:
        labelled = t["negative"] + t["neutral"] + t["positive"]
        moved = section["negative_change"]
        text += f"고, 부정 비율은 {t['negative_share'] * 100:.0f}%(논조 분류 {labelled:,}건 중)" + (
            f"로 {abs(moved) * 100:.0f}%p {'높아졌' if moved > 0 else '낮아졌'}" if moved and round(abs(moved) * 100)
            else "였")
    text += "습니다."
    if spike_events:
        days = spike_events[0]["text"].split(": ", 1)[0]
        text += (f" {days}에 보도 급증이 감지되었습니다." if len(spike_events) == 1
                 else f" {days} 등 보도 급증 {len(spike_events)}건이 감지되었습니다.")
    return text


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
    # one line per event; the recipient's region's first, then the strongest
    spikes = sorted(spike_events_of(list_spikes(db, monday.isoformat(), sunday.isoformat())),
                    key=lambda e: (not any(s["scope"] == "region" and s["key"] == region for s in e["spikes"]),
                                   -max(s["zscore"] or 0 for s in e["spikes"])))
    national, regional = _section(db, monday, sunday, top), _section(db, monday, sunday, top, regions=[region]) \
        if region else None
    return {
        "week": week_id(monday), "monday": monday.isoformat(), "sunday": sunday.isoformat(),
        "label": label, "region": region,
        "subject": f"{subject_prefix} {label} 주간 동향 ({monday:%m.%d}~{sunday:%m.%d})"
                   + (f" · {region}" if region else ""),
        "national": national, "regional": regional,
        "summary": summary(national, regional, region, spikes),
        "series": _weekly_series(db, monday),
        "spikes": spikes[:MAX_SPIKES],
        "spikes_total": len(spikes),
        "events": week_events(db, monday, sunday, region),
        "civic": [{"title": r["title"], "url": r["url"], "outlet": r["outlet"], "pub_date": r["pub_date"]}
                  for r in civic_rows],
        "civic_total": civic_total,
        "rising": _rising_topics(db, monday),
        "terms": _distinctive_terms(db, monday, sunday, region),
        "regions": _region_lines(db, monday, region),
        "interest": week_summary(db, monday, region),  # Naver search interest vs the 4 weeks before
        "dashboard_url": dashboard_link(dashboard_url, monday, sunday, region),
    }
