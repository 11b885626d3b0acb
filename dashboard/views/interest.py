"""개요의 '보도량과 검색 관심' 패널: coverage volume and Naver search interest on one time
axis, each indexed to its own average over the chosen dates (= 100), with awareness survey
results and their 95% intervals on a second axis. Rendered by its own callback under the
overview (dashboard/app.py), so the overview's other charts are untouched."""
import datetime as dt

from dash import html

from dashboard.figures import PERIOD_KO, figure, message, time_axis
from dashboard.views.common import EMPTY_STORE, graph
from store.periods import period_starts
from interest import series
from interest.chaining import bucket_span
from interest.survey import surveys
from vocabulary import NATIONAL

OUTPUTS = (("ov-interest-note", "children"), ("ov-interest", "figure"))
COVERAGE_COLOR = "#4C78A8"
INTEREST_COLORS = ("#F58518", "#54A24B", "#B279A2", "#E45756", "#72B7B2", "#9D755D", "#EECA3B", "#FF9DA6")
SURVEY_COLOR = "#333333"
NOTE = ("보도량은 수집한 관련 기사 수로, 언론이 쓴 양이지 주민의 관심이 아닙니다. "
        "검색 관심은 네이버 통합검색에서 그 검색어 묶음이 검색된 상대적인 양입니다(네이버만, 사람 수가 아니며 인지도 자체도 아닙니다). "
        "두 선 모두 선택한 기간의 평균(날짜가 잘린 구간 제외)을 100으로 맞춘 지수이고, 검색 관심은 보도량과 같은 날짜로 묶었습니다. "
        "설문은 인지도 조사 결과(오른쪽 축, 세로 막대는 95% 신뢰구간)입니다. 자세한 뜻: docs/interest.md")


def layout():
    return html.Div([html.H3("보도량과 검색 관심"), graph("ov-interest"),
                     html.Div(id="ov-interest-note", className="hint")], id="ov-interest-panel")


def indexed(values, whole=None):
    """Each value / the mean of the values x 100; the mean leaves out None and the periods not
    `whole` (cut by the dates) unless nothing else is left; all None when the mean is 0."""
    known = [v for v, w in zip(values, whole or [True] * len(values)) if v is not None and w]
    known = known or [v for v in values if v is not None]
    mean = sum(known) / len(known) if known else 0
    return [None if v is None or not mean else v / mean * 100 for v in values]


def render(data, db, ctx):
    if ctx.empty_store:
        return {"ov-interest-note": None, "ov-interest": message(EMPTY_STORE)}
    periods = period_starts(ctx.by, ctx.start, ctx.end)
    articles = {r["period"]: r["articles"] for r in data.counts(db, ctx.by, None, ctx.filters)}
    coverage = [articles.get(p, 0) for p in periods]
    regions = ctx.state.get("region") or []
    chosen = series.groups(db, regions)
    interest = series.by_period(db, ctx.by, ctx.start, ctx.end, [g for g, _ in chosen])
    found = surveys(db, regions or [NATIONAL], ctx.start, ctx.end)
    notes = [NOTE] + _gaps(chosen, interest, regions, db, found, ctx)
    cut = [p for p in periods if _days(ctx, p) < _length(ctx.by, p)]
    if cut:
        notes.append(f"속이 빈 점은 선택한 날짜가 {PERIOD_KO[ctx.by]}의 일부만 포함하는 구간입니다 "
                     "(두 선 모두 같은 날짜만 셈).")
    return {"ov-interest-note": [html.P(n) for n in notes],
            "ov-interest": interest_figure(periods, coverage, interest, found, ctx.by, set(cut))}


def _length(by, period):
    first, last = bucket_span({"day": "date"}.get(by, by), period)
    return (last - first).days + 1


def _days(ctx, period):
    """Days of the period inside the chosen dates."""
    first, last = bucket_span({"day": "date"}.get(ctx.by, ctx.by), period)
    lo, hi = max(first.isoformat(), ctx.start), min(last.isoformat(), ctx.end)
    return (dt.date.fromisoformat(hi) - dt.date.fromisoformat(lo)).days + 1


def _gaps(chosen, interest, regions, db, found, ctx):
    """Sentences for what the chart cannot show: no data, regions without groups, incomplete periods."""
    out = []
    if not chosen:
        out.append("검색 관심 자료가 아직 없습니다: NAVER_CLIENT_ID / NAVER_CLIENT_SECRET을 설정하고 "
                   "python monitor.py interest 로 받으세요." if not regions else
                   "선택한 지역의 검색어 묶음 자료가 없습니다 (config/settings.toml [interest] groups).")
    missing = [r for r in regions if r not in {region for _, region in chosen}]
    if chosen and missing:
        out.append(f"검색어 묶음 자료가 없는 지역: {', '.join(missing)}.")
    cut = {r["period"] for rows in interest.values() for r in rows if r["days"] < r["expected"]}
    if chosen and cut:
        out.append(f"아직 검색 자료가 다 모이지 않은 {len(cut)}개 {PERIOD_KO[ctx.by]}은(는) 검색 관심 선에서 뺐습니다 "
                   "(네이버 자료는 전날까지).")
    if not found:
        total = db.execute("SELECT COUNT(*) FROM surveys").fetchone()[0]
        if total:
            out.append(f"이 기간·지역의 설문 결과는 없습니다 (전체 {total}건: 기간을 넓혀 보세요).")
    return out


def interest_figure(periods, coverage, interest, found, by, cut=frozenset()):
    """The figure dict: indexed coverage and search-interest lines (open markers on periods
    the dates cut), survey points with error bars."""
    symbols = {"symbol": ["circle-open" if p in cut else "circle" for p in periods], "size": 7}
    whole = [p not in cut for p in periods]
    data = [{"type": "scatter", "mode": "lines+markers", "x": periods, "y": indexed(coverage, whole),
             "name": "보도량 (관련 기사 수, 지수)", "line": {"color": COVERAGE_COLOR, "width": 3}, "marker": symbols,
             "customdata": coverage,
             "hovertemplate": "%{x}<br>보도량 지수 %{y:.0f} (기사 %{customdata}건)<extra></extra>"}]
    for i, (name, rows) in enumerate(interest.items()):
        values = [r["value"] if r["days"] == r["expected"] else None for r in rows]
        data.append({"type": "scatter", "mode": "lines+markers", "x": [r["period"] for r in rows],
                     "y": indexed(values, whole), "name": f"검색 관심: {name} (지수)",
                     "line": {"color": INTEREST_COLORS[i % len(INTEREST_COLORS)], "width": 2, "dash": "dot"},
                     "marker": symbols,
                     "hovertemplate": "%{x}<br>" + f"{name} 검색 관심 지수" + " %{y:.0f}<extra></extra>"})
    if found:
        data.append({"type": "scatter", "mode": "markers", "yaxis": "y2", "x": [s["date"] for s in found],
                     "y": [s["share"] * 100 for s in found], "name": "설문: 응답 비율 (%, 95% 구간)",
                     "marker": {"color": SURVEY_COLOR, "size": 10, "symbol": "diamond"},
                     "error_y": {"type": "data", "symmetric": False, "color": SURVEY_COLOR,
                                 "array": [(s["hi"] - s["share"]) * 100 for s in found],
                                 "arrayminus": [(s["share"] - s["lo"]) * 100 for s in found]},
                     "customdata": [[s["question"], s["region"], s["n"], s["source"], s["lo"] * 100, s["hi"] * 100]
                                    for s in found],
                     "hovertemplate": ("%{x}<br>%{customdata[1]} · %{customdata[0]}<br>%{y:.1f}% "
                                       "(95% 구간 %{customdata[4]:.1f}–%{customdata[5]:.1f}%, n=%{customdata[2]:,})"
                                       "<br>%{customdata[3]}<extra></extra>")})
    return figure(data, f"보도량과 검색 관심 ({PERIOD_KO[by]}별, 각 선의 선택 기간 평균 = 100)", 380,
                  xaxis=time_axis(by), yaxis={"title": {"text": "지수 (기간 평균 = 100)"}, "rangemode": "tozero"},
                  yaxis2={"title": {"text": "설문 응답 비율 (%)"}, "overlaying": "y", "side": "right",
                          "range": [0, 100], "ticksuffix": "%", "showgrid": False},
                  margin={"r": 60})

