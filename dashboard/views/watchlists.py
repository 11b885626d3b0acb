"""관심 목록: the current search and filters saved under a name (watchlists.table), and for each
saved watchlist its trend over the chosen period (articles, stories, negative share with its
sample size), its newest documents, a link to them in 문서, and a delete button."""
from dash import ALL, Input, Output, State, ctx as dash_ctx, dcc, html
from dash.exceptions import PreventUpdate

from analysis.spikes import describe

from dashboard import figures
from dashboard.state import Context, parse_search, to_search
from dashboard.views.common import EMPTY_STORE, fmt_int, fmt_pct, notice
from store.errors import QueryError
from store.periods import long_label
from store.util import is_web_url
from watchlists import table as wl_table, trend as wl_trend
from watchlists.alerts import spikes_of

TITLE = "관심 목록"
OUTPUTS = (("wl-current", "children"),)
HELP = ("위쪽 검색창의 검색어와 필터(지역·주제·논조·출처 유형·매체)를 이름을 붙여 저장하면, 저장한 조건의 추이를 "
        "언제든 이 탭에서 봅니다. 기간과 일별·주별·월별은 위쪽 기간 설정을 따릅니다. 부정 비율의 세로 막대는 95% "
        "신뢰구간으로, 논조가 분류된 기사가 적은 날일수록 깁니다. ▼는 급증입니다(알림 메일과 같은 기준).")


def layout():
    return html.Div([
        html.Div(className="panel", id="wl-form", children=[
            html.H3("지금 검색을 관심 목록으로 저장"),
            html.P(HELP, className="hint"),
            html.Div(id="wl-current", className="wl-current"),
            dcc.Input(id="wl-name", type="text", placeholder="관심 목록 이름 (예: 예산·인력 보도)",
                      maxLength=wl_table.MAX_NAME, debounce=False),
            dcc.Checklist(id="wl-alert", options=[{"label": " 급증하면 메일로 알림", "value": "on"}], value=[],
                          inline=True),
            dcc.Input(id="wl-recipients", type="text", style={"width": "22em"},
                      placeholder="받는 사람 이메일 (쉼표로 구분, 비우면 주간 메일 수신자)"),
            html.Button("저장", id="wl-save", n_clicks=0),
            html.Div(id="wl-result"),
        ]),
        dcc.Store(id="wl-changed", data=0),
        html.Div(id="wl-list"),
    ])


def render(data, db, ctx):
    state = ctx.state
    text = wl_table.describe(state["q"], wl_table.from_dashboard(state))
    return {"wl-current": f"저장될 조건: {text}"}


def rows(data, db, ctx):
    """The CSV download: every watchlist's trend over the period, one row per watchlist and period."""
    out = []
    for wl in wl_table.all_watchlists(db):
        for r in wl_trend.trend(db, wl, ctx.by, ctx.start, ctx.end, counts=data.counts):
            out.append({"관심 목록": wl["name"], "조건": wl_table.describe(wl["query"], wl["filters"]),
                        "기간": r["period"], "일부 기간": "예" if r["partial"] else "아니오", "기사 수": r["articles"],
                        "기사 묶음": r["stories"], "부정": r["negative"], "논조 분류": r["labelled"],
                        "부정 비율": r["negative_share"], "부정 비율 하한": r["negative_ci_low"],
                        "부정 비율 상한": r["negative_ci_high"]})
    return out


def trend_figure(rows_, by, spikes=()):
    """Bars of articles, a line of stories, spike markers (▼) and, on the right axis, the negative
    share with its 95% interval as error bars (hover: out of how many)."""
    x = [r["period"] for r in rows_]
    hover = [long_label(by, p) + (" · 일부 기간" if r["partial"] else "") for p, r in zip(x, rows_)]
    counts = [r["articles"] for r in rows_]
    data = [
        {"type": "bar", "x": x, "y": counts, "name": "기사 수", "customdata": hover,
         "marker": {"color": "#4C78A8", "opacity": [figures.PARTIAL_OPACITY if r["partial"] else 1 for r in rows_]},
         "hovertemplate": "%{customdata}<br>기사 %{y:,d}건<extra></extra>"},
        {"type": "scatter", "x": x, "y": [r["stories"] for r in rows_], "name": "기사 묶음 수", "mode": "lines+markers",
         "line": {"color": "#333", "width": 2}, "customdata": hover,
         "hovertemplate": "%{customdata}<br>기사 묶음 %{y:,d}건<extra></extra>"},
        {"type": "scatter", "x": x, "y": [None if r["negative_share"] is None else r["negative_share"] * 100
                                          for r in rows_], "yaxis": "y2", "name": "부정 비율 (%, 오른쪽 축)",
         "mode": "lines+markers", "line": {"color": figures.SENT_COLORS["negative"], "dash": "dot"},
         "error_y": {"type": "data", "symmetric": False, "thickness": 1, "width": 2, "color": "rgba(228,87,86,0.45)",
                     "array": [None if r["labelled"] == 0 else (r["negative_ci_high"] - r["negative_share"]) * 100
                               for r in rows_],
                     "arrayminus": [None if r["labelled"] == 0 else (r["negative_share"] - r["negative_ci_low"]) * 100
                                    for r in rows_]},
         "customdata": [[h, r["labelled"], r["negative"]] for h, r in zip(hover, rows_)],
         "hovertemplate": "%{customdata[0]}<br>부정 %{y:.1f}% (논조 분류 %{customdata[1]:,d}건 중 "
                          "%{customdata[2]:,d}건)<extra></extra>"},
    ]
    data += [dict(m, name="급증 감지", hovertemplate="<b>급증 감지</b><br>%{text}<extra></extra>")  # no click-through here
             for m in figures.spike_marks(spikes, by, max(counts + [1]) * 1.05)]
    partial = {r["period"] for r in rows_ if r["partial"]}
    return figures.figure(data, None, 300, xaxis=figures.period_axis(by, x, partial), yaxis=figures.count_axis(counts),
                          yaxis2={"overlaying": "y", "side": "right", "range": [0, 105],
                                  "tickvals": [0, 25, 50, 75, 100], "ticktext": ["0%", "25%", "50%", "75%", "100%"],
                                  "title": {"text": "부정 비율"}, "showgrid": False},
                          margin={"b": 60, "r": 60})


def card(data, db, ctx, wl):
    """One watchlist: its condition, totals, trend chart, newest documents, links and delete."""
    key = {"index": wl["id"]}
    rows_ = wl_trend.trend(db, wl, ctx.by, ctx.start, ctx.end, counts=data.counts)
    total = wl_trend.totals(db, wl, ctx.start, ctx.end, total=data.totals)
    share = (f"부정 비율 {fmt_pct(total['negative_share'])} (논조 분류 {total['labelled']:,}건 중 {total['negative']:,}건, "
             f"95% 신뢰구간 {fmt_pct(total['negative_ci_low'])}–{fmt_pct(total['negative_ci_high'])})"
             if total["labelled"] else "부정 비율 - (논조가 분류된 기사 없음)")
    spikes = [dict(s, text=describe(s, with_day=False)) for s in spikes_of(db, wl, ctx.start, ctx.end, count=data.counts)]
    docs = wl_trend.latest(db, wl, ctx.start, ctx.end, limit=5)
    items = [html.Li([f"{(d['published_at'] or '')[:10]} {d['outlet'] or ''} ",
                      html.A(d["title"] or "(제목 없음)", href=d["url"], target="_blank", rel="noopener noreferrer")
                      if is_web_url(d["url"]) else (d["title"] or "(제목 없음)")]) for d in docs]
    documents = to_search({**ctx.state, "region": [], "topic": [], "sentiment": [], "kind": [], "outlet": [],
                           **wl_table.dashboard_state(wl), "view": "documents"}) or "?"
    alert = f" · 급증 메일 알림 켜짐 ({', '.join(wl['recipients']) or '주간 메일 수신자'})" if wl["alert"] else ""
    return html.Div(className="panel wl-card", id=f"wl-card-{wl['id']}", children=[
        html.H3(wl["name"], className="wl-name"),
        html.Div(wl_table.describe(wl["query"], wl["filters"]) + alert, className="hint"),
        html.Div(f"{ctx.start} ~ {ctx.end}: 기사 {fmt_int(total['articles'], '건')} · 기사 묶음 "
                 f"{fmt_int(total['stories'], '건')} · {share}", className="wl-totals"),
        dcc.Graph(id={"type": "wl-trend", **key}, figure=trend_figure(rows_, ctx.by, spikes), config=figures.GRAPH_CONFIG),
        html.Div("최근 기사", className="kpi-label"),
        html.Ul(items) if items else html.P("이 기간에 맞는 기사가 없습니다.", className="hint"),
        dcc.Link("문서 탭에서 모두 보기", href=documents, className="wl-open"), " ",
        dcc.ConfirmDialogProvider(html.Button("삭제", className="wl-delete"), id={"type": "wl-delete", **key},
                                  message=f"'{wl['name']}' 관심 목록을 지울까요? (기사는 지워지지 않습니다)"),
    ])


def register(app, data):
    @app.callback(Output("wl-list", "children"), Input("url", "search"), Input("wl-changed", "data"))
    def listing(search, _changed):
        state = parse_search(search)
        if state["view"] != "watchlists":
            raise PreventUpdate
        with data.db() as db:
            ctx = Context(state, data.bounds(db))
            if ctx.empty_store:
                return notice(EMPTY_STORE, "warn")
            watched = wl_table.all_watchlists(db)
            if not watched:
                return notice("저장한 관심 목록이 없습니다. 위쪽 검색창에 검색어를 넣고(필터도 고를 수 있습니다) "
                              "이름을 붙여 저장하세요.")
            return [card(data, db, ctx, wl) for wl in watched]

    @app.callback(Output("wl-result", "children"), Output("wl-changed", "data"), Output("wl-name", "value"),
                  Input("wl-save", "n_clicks"), State("wl-name", "value"), State("wl-alert", "value"),
                  State("wl-recipients", "value"), State("url", "search"), State("wl-changed", "data"),
                  prevent_initial_call=True)
    def save(_clicks, name, alert, recipients, search, changed):
        state = parse_search(search)
        try:
            with data.db() as db:
                wl = wl_table.add(db, name, state["q"], wl_table.from_dashboard(state), alert="on" in (alert or []),
                                  recipients=recipients)
        except QueryError as exc:
            return notice(str(exc), "error"), changed, name
        return notice(f"'{wl['name']}' 관심 목록을 저장했습니다.", "ok"), (changed or 0) + 1, ""

    @app.callback(Output("wl-result", "children", allow_duplicate=True),
                  Output("wl-changed", "data", allow_duplicate=True),
                  Input({"type": "wl-delete", "index": ALL}, "submit_n_clicks"), State("wl-changed", "data"),
                  prevent_initial_call=True)
    def delete(clicks, changed):
        trigger = dash_ctx.triggered_id
        if not trigger or not any(clicks or []):
            raise PreventUpdate  # the cards were just drawn
        with data.db() as db:
            try:
                wl = wl_table.delete(db, trigger["index"])
            except QueryError as exc:
                return notice(str(exc), "error"), (changed or 0) + 1
        return notice(f"'{wl['name']}' 관심 목록을 지웠습니다.", "ok"), (changed or 0) + 1
