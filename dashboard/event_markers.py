"""Policy events on the time charts: `add_event_markers(fig, events)` draws them (a dotted
line and a marker at the top; hover shows the event), the filter bar's toggle chooses
which kinds, and a click on a marker opens a side panel with the coverage around it:
the 7 days before and after against the 4 weeks before that, under the current filters.
"""
import datetime as dt
import html as html_lib

from dash import Input, Output, State, ctx as dash_ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard.state import Context, parse_search
from dashboard.views.common import fmt_int, fmt_pct, notice
from events.table import KINDS, SOURCES, get, list_events
from store.periods import period_start
from store.queries import top_stories
from store.util import is_web_url

# the time charts (component ids) that get markers, and the toggle's groups of kinds
MARKED = ("ov-volume", "ov-critic", "tp-lines", "rg-trend")
GROUPS = {"assembly": ("국회 법률안", ["bill"]), "law": ("법령 개정", ["law", "decree"]),
          "milestone": ("주요 일정", ["milestone"]), "staff": ("담당자 메모", ["staff_note"])}
COLORS = {"bill": "#6A3D9A", "law": "#1F78B4", "decree": "#1F78B4", "milestone": "#E6550D", "staff_note": "#2CA02C"}
AXIS = "y9"  # a hidden 0..1 axis over the chart, so markers sit at its top whatever the counts
TOP, STEP = 0.97, 0.07  # marker heights: several events on one day stack downwards
BEFORE, BASELINE_WEEKS = 7, 4


def toggle():
    return dcc.Checklist(id="ev-show", inline=True, className="ev-toggle", persistence=True, persistence_type="local",
                         options=[{"label": label, "value": key} for key, (label, _) in GROUPS.items()],
                         value=list(GROUPS), labelStyle={"marginRight": "8px"})


def kinds_shown(show):
    return [kind for key in show or [] for kind in GROUPS.get(key, ("", []))[1]]


def panel():
    """The side panel a marker click (or a row of the 이벤트 tab) fills."""
    return html.Aside(id="ev-panel", className="ev-panel", style={"display": "none"}, children=[
        html.Button("닫기 ✕", id="ev-panel-close", n_clicks=0, className="ev-close"),
        html.Div(id="ev-panel-body")])


def timeline_events(db, ctx, kinds):
    """The events a timeline of this period shows: every region's without a region filter,
    else those regions' and the whole country's."""
    if not kinds:
        return []
    return list_events(db, ctx.start, ctx.end, kinds, ctx.state.get("region") or None, with_national=True)


def hover_text(event):
    where = f" · {event['region']}" if event["region"] else ""
    title = html_lib.escape(event["title"])
    return (f"<b>{event['date']} · {KINDS[event['kind']]}{where}</b><br>{title[:90]}{'…' if len(title) > 90 else ''}"
            "<br><i>누르면 전후 보도량</i>")


def add_event_markers(fig, events, by="day"):
    """The figure dict with the events drawn on it, one legend entry per group of kinds;
    unchanged when it has no data (a message figure) or there are no events. The charts'
    x axes list periods (store.periods), so an event sits on the period holding its date.
    A chart of small multiples (the topics) gets the dotted lines in every panel and the
    markers at the top of each panel, on the panel's own count axis."""
    if not events or not fig.get("data"):
        return fig
    layout = dict(fig.get("layout") or {})
    x_of = {e["id"]: period_start(by, e["date"]).isoformat() for e in events}
    height, seen = {}, {}
    for e in events:
        x = x_of[e["id"]]
        seen[x] = seen.get(x, -1) + 1
        height[e["id"]] = max(TOP - STEP * seen[x], 0.05)
    panels = _panels(fig, layout)
    traces, lines = [], []
    for n, (xaxis, yaxis) in enumerate(panels):
        scale = 1.0
        if len(panels) > 1:  # markers on the panel's own axis, at the top of its fixed range
            scale = layout[_axis_key(yaxis)]["range"][1]
        for label, kinds in GROUPS.values():
            group = [e for e in events if e["kind"] in kinds]
            if group:
                traces.append({
                    "type": "scatter", "mode": "markers", "name": f"이벤트: {label}", "legendgroup": label,
                    "showlegend": n == 0, "xaxis": xaxis, "yaxis": yaxis if len(panels) > 1 else AXIS,
                    "x": [x_of[e["id"]] for e in group], "y": [height[e["id"]] * scale for e in group],
                    "customdata": [f"ev:{e['id']}" for e in group], "text": [hover_text(e) for e in group],
                    "hovertemplate": "%{text}<extra></extra>", "cliponaxis": False,
                    "marker": {"symbol": "diamond", "size": 12 if len(panels) == 1 else 9, "color": COLORS[kinds[0]],
                               "line": {"width": 1, "color": "white"}}})
        yref = "paper" if len(panels) == 1 else f"{yaxis} domain"
        lines += [{"type": "line", "xref": xaxis, "yref": yref, "x0": x, "x1": x, "y0": 0, "y1": 1, "layer": "below",
                   "line": {"width": 1, "dash": "dot", "color": "#888"}} for x in sorted(seen)]
    if len(panels) == 1:
        layout["yaxis9"] = {"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True}
    layout["shapes"] = list(layout.get("shapes") or []) + lines
    return {**fig, "data": list(fig["data"]) + traces, "layout": layout}


def _panels(fig, layout):
    """(x axis, y axis) of each plot of the figure: one, or each cell of a grid."""
    if not layout.get("grid"):
        return [("x", "y")]
    plain = lambda axis: axis[0] if axis[1:] == "1" else axis  # noqa: E731 - 'x1' is the first axis, 'x'
    return list(dict.fromkeys((plain(t.get("xaxis", "x")), plain(t.get("yaxis", "y"))) for t in fig["data"]))


def _axis_key(axis):
    """'y3' -> 'yaxis3', 'y' -> 'yaxis' (the layout key of an axis reference)."""
    return axis[0] + "axis" + axis[1:]


def decorate(result, db, ctx, show):
    """Add the markers to the time charts among a view's rendered outputs."""
    events = timeline_events(db, ctx, kinds_shown(show))
    for id_ in MARKED:
        if isinstance(result.get(id_), dict):
            result[id_] = add_event_markers(result[id_], events, ctx.by)
    return result


# ---------------------------------------------------------------- the coverage around one event

def windows(date):
    """(label, first day, last day, weeks) of the baseline and the days around the event."""
    d = dt.date.fromisoformat(date)
    day = lambda n: (d + dt.timedelta(days=n)).isoformat()  # noqa: E731
    return [("이전 4주 (기준)", day(-BEFORE - 7 * BASELINE_WEEKS), day(-BEFORE - 1), BASELINE_WEEKS),
            ("이벤트 전 7일", day(-BEFORE), day(-1), 1), ("이벤트 당일", date, date, None),
            ("이벤트 후 7일", day(1), day(BEFORE), 1)]


def coverage(data, db, ctx, date):
    """One row per window: articles, articles per week, negative share (with its 95% interval),
    and how much of the window the store covers."""
    first, last = ctx.bounds
    out = []
    for label, start, end, weeks in windows(date):
        row = data.totals(db, ctx.filters.replace(date_from=start, date_to=end))
        covered = first is not None and start <= last and end >= first
        out.append({"label": label, "start": start, "end": end, "articles": row["articles"],
                    "per_week": row["articles"] / weeks if weeks else None, "negative_share": row["negative_share"],
                    "ci": row["negative_ci"], "covered": covered,
                    "partial": covered and (start < first or end > last)})
    return out


def _summary(rows):
    base, after = rows[0], rows[3]
    if not base["covered"] or not after["covered"]:
        return "이벤트 전후의 자료가 모자라 비교할 수 없습니다."
    if not base["per_week"]:
        return f"이벤트 후 7일 기사 {fmt_int(after['articles'])}건 (이전 4주에는 관련 기사가 없었습니다)."
    text = (f"이벤트 후 7일 기사 {fmt_int(after['articles'])}건: 이전 4주 주평균 {base['per_week']:.1f}건의 "
            f"{after['articles'] / base['per_week']:.1f}배")
    if after["negative_share"] is not None and base["negative_share"] is not None:
        diff = (after["negative_share"] - base["negative_share"]) * 100
        text += f", 부정 비율 {fmt_pct(after['negative_share'])} (기준 {fmt_pct(base['negative_share'])}, {diff:+.1f}%p)"
    return text + "."


def panel_body(data, db, ctx, event):
    rows = coverage(data, db, ctx, event["date"])
    filtered = any(ctx.state.get(k) for k in ("region", "topic", "sentiment", "kind", "outlet", "q"))
    start, end = rows[1]["start"], rows[3]["end"]
    stories = top_stories(db, ctx.filters.replace(date_from=start, date_to=end), limit=5)
    meta = [KINDS[event["kind"]], event["date"], event["region"] or "전국", SOURCES.get(event["source"], event["source"])]
    if event.get("author"):
        meta.append(f"작성 {event['author']}" + (f", 수정 {event['updated_by']}"
                                                if event.get("updated_by") not in (None, event["author"]) else ""))
    return html.Div(id="ev-panel-content", children=[
        html.H3(html.A(event["title"], href=event["url"], target="_blank", rel="noopener noreferrer")
                if is_web_url(event["url"]) else event["title"]),
        html.P(" · ".join(meta), className="hint"),
        html.P(event["note"]) if event.get("note") else None,
        html.H4("전후 보도량 " + ("(현재 필터 기준)" if filtered else "(전체 관련 기사)")),
        html.Table(className="ev-coverage", children=[
            html.Tr([html.Th(h) for h in ("구간", "기간", "기사", "주당", "부정 비율")])] + [
            html.Tr([html.Td(r["label"] + (" *" if r["partial"] else "")), html.Td(f"{r['start'][5:]}~{r['end'][5:]}"),
                     html.Td(fmt_int(r["articles"]), className="num"),
                     html.Td("-" if r["per_week"] is None else f"{r['per_week']:.1f}", className="num"),
                     html.Td(fmt_pct(r["negative_share"]), className="num")]) for r in rows]),
        html.P(_summary(rows), id="ev-summary-line"),
        html.P("* 수집된 자료가 이 구간의 일부만 덮습니다.", className="hint") if any(r["partial"] for r in rows) else None,
        html.H4(f"{start} ~ {end} 많이 보도된 기사"),
        html.Ul([html.Li([html.A(s["title"] or "(제목 없음)", href=s["url"], target="_blank", rel="noopener noreferrer")
                          if is_web_url(s["url"]) else html.Span(s["title"] or "(제목 없음)"),
                          html.Span(f" {s['lead_outlet'] or ''} · {s['articles']}건", className="hint")])
                 for s in stories]) if stories else html.P("이 기간 관련 기사가 없습니다.", className="hint"),
    ])


def open_panel(data, search, event_id):
    """(style, body) of the panel for one event."""
    with data.db() as db:
        event = get(db, event_id)
        if event is None:
            return {"display": "block"}, notice("이벤트를 찾을 수 없습니다 (삭제되었을 수 있습니다).", "warn")
        return {"display": "block"}, panel_body(data, db, Context(parse_search(search), data.bounds(db)), event)


def clicked_event(click):
    """The event id in a chart's clickData, or None for a click on anything else."""
    for point in (click or {}).get("points") or []:
        value = point.get("customdata")
        if isinstance(value, str) and value.startswith("ev:") and value[3:].isdigit():
            return int(value[3:])
    return None


def register(app, data):
    @app.callback(Output("ev-panel", "style"), Output("ev-panel-body", "children"),
                  *[Input(id_, "clickData") for id_ in MARKED], Input("ev-panel-close", "n_clicks"),
                  State("url", "search"), prevent_initial_call=True)
    def on_click(*args):
        search = args[-1]
        if dash_ctx.triggered_id == "ev-panel-close":
            return {"display": "none"}, no_update
        event_id = clicked_event(args[MARKED.index(dash_ctx.triggered_id)])
        if event_id is None:
            raise PreventUpdate
        return open_panel(data, search, event_id)
