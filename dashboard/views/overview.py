"""개요: KPI cards vs the previous period, awareness and criticism over time, spikes."""
from dash import dcc, html

from dashboard import figures
from dashboard.views.common import (EMPTY_STORE, NO_MATCH, ONE_DAY, change, fmt_int, fmt_pct, graph, kpi,
                                    notice)
from dashboard.state import to_search
from store.queries import list_spikes, origin_spans, wilson_interval

TITLE = "개요"
OUTPUTS = ("ov-notice", "children"), ("ov-kpis", "children"), ("ov-volume", "figure"), ("ov-critic", "figure")


def layout():
    return html.Div([html.Div(id="ov-notice"), html.Div(id="ov-kpis", className="kpis"),
                     graph("ov-volume"), graph("ov-critic")])


def render(data, db, ctx):
    if ctx.empty_store:
        return {"ov-notice": notice(EMPTY_STORE, "warn"), "ov-kpis": None,
                "ov-volume": figures.message(EMPTY_STORE), "ov-critic": figures.message(EMPTY_STORE)}
    cur, prev = data.totals(db, ctx.filters), data.totals(db, ctx.prev_filters)
    kpis = _kpis(cur, prev)
    sources = _sources_note(db, ctx)
    if not cur["articles"]:
        return {"ov-notice": [notice(NO_MATCH, "warn"), sources], "ov-kpis": kpis,
                "ov-volume": figures.message(NO_MATCH), "ov-critic": figures.message(NO_MATCH)}
    by_kind = data.counts(db, ctx.by, "source_kind", ctx.filters)
    overall = data.counts(db, ctx.by, None, ctx.filters)
    for r in overall:
        r["ci"] = wilson_interval(r["negative"], r["negative"] + r["neutral"] + r["positive"])
    spikes = list_spikes(db, ctx.start, ctx.end)
    one_day = len({r["period"] for r in overall}) == 1
    return {"ov-notice": [notice(ONE_DAY) if one_day else None, sources], "ov-kpis": kpis,
            "ov-volume": figures.volume_by_kind(by_kind, overall, ctx.by, spikes),
            "ov-critic": figures.criticism(overall, ctx.by, spikes)}


IMPORT_NAMES = {"bigkinds": "BigKinds", "csv": "CSV 파일", "jsonl": "JSONL 파일"}


def _sources_note(db, ctx):
    """자료 출처: which days of the period come from imported files (snippets, titles) and which
    from the crawl, and a link to the whole range when imports reach back further. None
    when nothing was imported."""
    everything = origin_spans(db)
    if not set(everything) - {"crawl"}:
        return None
    parts = [f"{'직접 수집' if origin == 'crawl' else IMPORT_NAMES[origin] + '에서 가져온 기사'} {first} ~ {last}"
             for origin, (first, last) in origin_spans(db, ctx.start, ctx.end).items()]
    text = "자료 출처: " + (" · ".join(parts) if parts else "이 기간에는 자료가 없습니다")
    text += ". 가져온 기사는 본문 앞부분이나 제목만 있어 분류가 덜 정확할 수 있습니다."
    first, last = ctx.bounds
    whole = None
    if (ctx.start, ctx.end) != (first, last):
        whole = dcc.Link(f"전체 기간 보기 ({first} ~ {last})", id="ov-whole-range",
                         href=to_search({**ctx.state, "start": first, "end": last}) or "?")
    return html.Div([text, " ", whole], className="notice notice-info", id="ov-sources", role="status")


def _kpis(cur, prev):
    lo, hi = cur["negative_ci"]
    ci = f"95% 신뢰구간 {fmt_pct(lo)}–{fmt_pct(hi)}" if lo is not None else None
    net = lambda row: None if row["net_sentiment"] is None else row["net_sentiment"]  # noqa: E731
    return [
        kpi("문서 수", fmt_int(cur["articles"]), change(cur["articles"], prev["articles"]), "kpi-articles"),
        kpi("기사 묶음(스토리)", fmt_int(cur["stories"]), change(cur["stories"], prev["stories"]), "kpi-stories"),
        kpi("매체 수", fmt_int(cur["outlets"]), change(cur["outlets"], prev["outlets"]), "kpi-outlets",
            None if cur["outlets"] is not None else "지역과 주제를 함께 고르면 매체 수는 세지 않습니다"),
        kpi("부정 비율", fmt_pct(cur["negative_share"]),
            change(cur["negative_share"], prev["negative_share"], pct_points=True), "kpi-negative", ci),
        kpi("순감성(긍정−부정)", "-" if net(cur) is None else f"{net(cur) * 100:+.1f}",
            change(net(cur), net(prev), pct_points=True), "kpi-net"),
    ]


def rows(data, db, ctx):
    out = []
    for r in data.counts(db, ctx.by, None, ctx.filters):
        ci = wilson_interval(r["negative"], r["negative"] + r["neutral"] + r["positive"])
        out.append({"기간": r["period"], "기사 수": r["articles"], "기사 묶음": r["stories"], "매체 수": r["outlets"],
                    "부정": r["negative"], "중립": r["neutral"], "긍정": r["positive"],
                    "부정 비율": r["negative_share"], "부정 비율 하한": ci[0], "부정 비율 상한": ci[1],
                    "순감성": r["net_sentiment"]})
    return out
