"""개요: KPI cards vs the previous period, awareness and criticism over time, spikes."""
from dash import dcc, html

from dashboard import figures
from dashboard.spikes import for_view as view_spikes
from dashboard.views import interest
from dashboard.views.common import (EMPTY_STORE, NO_MATCH, change, fmt_int, fmt_pct, graph, kpi, notice,
                                    one_period)
from vocabulary import SOURCE_KINDS
from dashboard.state import to_search
from store.queries import negative_interval, origin_spans

TITLE = "개요"
OUTPUTS = ("ov-notice", "children"), ("ov-kpis", "children"), ("ov-volume", "figure"), ("ov-critic", "figure")


def layout():
    return html.Div([html.Div(id="ov-notice"), html.Div(id="ov-kpis", className="kpis"),
                     graph("ov-volume"), graph("ov-critic"), interest.layout()])


def render(data, db, ctx):
    if ctx.empty_store:
        return {"ov-notice": notice(EMPTY_STORE, "warn"), "ov-kpis": None,
                "ov-volume": figures.message(EMPTY_STORE), "ov-critic": figures.message(EMPTY_STORE)}
    cur, prev = data.totals(db, ctx.filters), data.totals(db, ctx.prev_filters)
    kpis = _kpis(cur, prev, ctx.cmp_label)
    sources = _sources_note(db, ctx)
    if not cur["articles"]:
        return {"ov-notice": [notice(NO_MATCH, "warn"), sources], "ov-kpis": kpis,
                "ov-volume": figures.message(NO_MATCH), "ov-critic": figures.message(NO_MATCH)}
    by_kind = data.series(db, ctx.by, "source_kind", ctx.filters, SOURCE_KINDS, stories=False)
    overall = series_rows(data, db, ctx)
    spikes = view_spikes(data, db, ctx)
    note = figures.partial_note(ctx.by, overall, ctx.start, ctx.end)
    notices = [n for n in (notice(one_period(ctx.by)) if len(overall) == 1 else None, sources) if n]
    return {"ov-notice": notices or None, "ov-kpis": kpis,
            "ov-volume": figures.volume_by_kind(by_kind, overall, ctx.by, spikes, note=note),
            "ov-critic": figures.criticism(overall, ctx.by, spikes, note=note)}


def series_rows(data, db, ctx):
    """Every period of the range (zeros included) with its negative share's 95% interval."""
    rows = data.series(db, ctx.by, None, ctx.filters)
    for r in rows:
        r["ci"] = negative_interval(r)
    return rows


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


def _kpis(cur, prev, against):
    """The cards: each value with its unit, each change naming the period it compares with."""
    lo, hi = cur["negative_ci"]
    labelled = cur["negative"] + cur["neutral"] + cur["positive"]
    ci = f"95% 신뢰구간 {fmt_pct(lo)}–{fmt_pct(hi)} · 논조 분류 {labelled:,}건 중" if lo is not None else None
    net = lambda row: None if row["net_sentiment"] is None else row["net_sentiment"]  # noqa: E731
    return [
        kpi("기사 수", fmt_int(cur["articles"], "건"), change(cur["articles"], prev["articles"], against=against),
            "kpi-articles"),
        kpi("기사 묶음", fmt_int(cur["stories"], "건"), change(cur["stories"], prev["stories"], against=against),
            "kpi-stories", "같은 내용을 여러 매체가 실은 기사는 한 묶음"),
        kpi("매체 수", fmt_int(cur["outlets"], "곳"), change(cur["outlets"], prev["outlets"], against=against),
            "kpi-outlets", None if cur["outlets"] is not None else "지역과 주제를 함께 고르면 매체 수는 세지 않습니다"),
        kpi("부정 비율", fmt_pct(cur["negative_share"]),
            change(cur["negative_share"], prev["negative_share"], pct_points=True, against=against), "kpi-negative", ci),
        kpi("논조 지수 (긍정−부정)", "-" if net(cur) is None else f"{net(cur) * 100:+.1f}%p",
            change(net(cur), net(prev), pct_points=True, against=against), "kpi-net", "긍정 비율 − 부정 비율"),
    ]


def rows(data, db, ctx):
    return [{"기간": r["period"], "기간 일수": r["days_in_period"], "일부 기간": "예" if r["partial"] else "아니오",
             "기사 수": r["articles"], "기사 묶음": r["stories"], "부정": r["negative"], "중립": r["neutral"],
             "긍정": r["positive"], "부정 비율": r["negative_share"], "부정 비율 하한": r["ci"][0],
             "부정 비율 상한": r["ci"][1], "논조 지수": r["net_sentiment"]} for r in series_rows(data, db, ctx)]
