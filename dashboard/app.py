"""The Dash app: filter bar, tabs, callbacks. Views live in dashboard/views/."""
import base64
import csv
import io
import logging

import dash
from dash import Input, Output, State, ctx as dash_ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import auth as auth_mod, event_markers
from dashboard.data import Data
from dashboard.state import PRESETS, Context, parse_search, preset_range, to_search
from dashboard.views import documents, entities, events as events_view, interest, overview, regions, related, review, sources, status, topics
from dashboard.views import watchlists
from dashboard.views.common import notice
from export.safe_cells import neutralise
from vocabulary import ALL_REGIONS, SENTIMENT_KO, SOURCE_KIND_KO, TOPICS
from store.labels import add_annotation, add_story_annotation
from store.queries import QueryError, facet_values

log = logging.getLogger(__name__)
VIEWS = {"overview": overview, "regions": regions, "topics": topics, "words": entities, "sources": sources,
         "documents": documents, "review": review, "events": events_view, "watchlists": watchlists, "status": status}
FILTERS = [("f-region", "region"), ("f-topic", "topic"), ("f-sentiment", "sentiment"), ("f-kind", "kind"),
           ("f-outlet", "outlet")]
SEARCH_HELP = '제목·본문 검색: 띄어 쓰면 모두 포함, A OR B 둘 중 하나, -낱말 빼기, "구절" 그대로, (괄호) 묶기'
INDEX = """<!DOCTYPE html>
<html lang="ko"><head>{%metas%}<title>{%title%}</title>{%favicon%}{%css%}</head>
<body>{%app_entry%}<footer>{%config%}{%scripts%}{%renderer%}</footer></body></html>"""


def create_app(db_path=None, auth=None, settings=None):
    """Build the dashboard on the store at db_path; auth=(user, password) turns on basic auth;
    settings: config/settings.toml as loaded (default: loaded here), for /healthz limits."""
    data = Data(db_path)
    app = dash.Dash(__name__, title="자치경찰 언론·여론 모니터", suppress_callback_exceptions=True,
                    update_title="불러오는 중…")
    app.index_string = INDEX
    app.layout = lambda: _layout(data)
    if auth:
        auth_mod.protect(app.server, *auth)
    app.server.config["MONITOR_AUTH"] = bool(auth)
    _register(app, data)
    try:
        from export import api
    except ImportError:
        api = None
    if api is not None:
        api.register(app.server, str(data.path))
    from digest.settings import load_settings
    from ops import web
    web.register(app.server, data.path, (settings or load_settings())["health"])
    return app


def _dropdown(id_, options, placeholder):
    return dcc.Dropdown(id=id_, options=options, multi=True, placeholder=placeholder, className="filter")


def _layout(data):
    with data.db() as db:
        outlets = data.cached("outlets", 300, lambda: facet_values(db, "outlet"))
    tabs = [dcc.Tab(label=view.TITLE, value=name, id=f"tab-{name}", className="tab",
                    selected_className="tab--selected") for name, view in VIEWS.items()]
    return html.Div([
        dcc.Location(id="url", refresh=False),
        html.Header([html.H1("자치경찰 언론·여론 모니터"),
                     html.Span("자치경찰제 보도와 여론을 한눈에", className="subtitle")]),
        # on a phone the filters fold away (closed at load by a clientside callback)
        html.Details(id="filters-box", open=True, className="filters-box", children=[
            html.Summary("기간·필터 ▾", className="filters-summary"),
            html.Div(className="filters", children=[
            dcc.DatePickerRange(id="f-dates", display_format="YYYY-MM-DD", start_date_placeholder_text="시작일",
                                end_date_placeholder_text="종료일", minimum_nights=0, clearable=True),
            html.Div([html.Button(label, id=f"preset-{key}", n_clicks=0, className="preset")
                      for key, label in PRESETS.items()], className="presets"),
            dcc.RadioItems(id="f-by", inline=True, value="day", className="by",
                           options=[{"label": "일별", "value": "day"}, {"label": "주별", "value": "week"},
                                    {"label": "월별", "value": "month"}]),
            dcc.RadioItems(id="f-cmp", inline=True, value="prev", className="by",
                           options=[{"label": "직전 기간과 비교", "value": "prev"},
                                    {"label": "전년 동기와 비교", "value": "yoy"}]),
            _dropdown("f-region", [{"label": r, "value": r} for r in ALL_REGIONS], "지역"),
            _dropdown("f-topic", [{"label": v, "value": k} for k, v in TOPICS.items()], "주제"),
            _dropdown("f-sentiment", [{"label": v, "value": k} for k, v in SENTIMENT_KO.items()], "논조"),
            _dropdown("f-kind", [{"label": v, "value": k} for k, v in SOURCE_KIND_KO.items()], "출처 유형"),
            _dropdown("f-outlet", [{"label": o, "value": o} for o in outlets], "매체·기관"),
            html.Span(dcc.Input(id="f-q", type="search", placeholder="검색어 (예: 예산 OR 인력 -경찰국)",
                                debounce=True, className="search"), title=SEARCH_HELP),  # help on hover
            html.Button("필터 초기화", id="f-reset", n_clicks=0),
            html.Button("CSV 다운로드", id="dl-button", n_clicks=0, title="지금 보이는 표·그래프의 자료 (엑셀에서 열림)"),
            dcc.Download(id="dl"),
            html.Span("정책 이벤트:", className="hint"), event_markers.toggle(),
        ])]),
        html.Div(id="period-label", className="hint"),
        dcc.Tabs(id="tabs", value="overview", children=tabs, mobile_breakpoint=0, className="tabs"),
        html.Main([html.Div(view.layout(), id=f"view-{name}", className="view") for name, view in VIEWS.items()]),
        event_markers.panel(),
    ])


def _guard(render):
    """Show bad input and unexpected failures as a message in the page, not a broken chart."""
    def wrapped(*args):
        try:
            return render(*args)
        except PreventUpdate:
            raise
        except QueryError as exc:
            return ("error", str(exc))
        except Exception as exc:  # noqa: BLE001 - the page must keep working
            log.exception("dashboard callback failed")
            return ("error", f"오류가 발생했습니다: {exc}")
    return wrapped


def _register(app, data):
    filter_outputs = [Output(id_, "value") for id_, _ in FILTERS]

    @app.callback(*filter_outputs, Output("f-dates", "start_date"), Output("f-dates", "end_date"),
                  Output("f-by", "value"), Output("f-cmp", "value"), Output("f-q", "value"), Output("tabs", "value"),
                  Output("url", "search"),
                  Input("url", "search"), *[Input(id_, "value") for id_, _ in FILTERS],
                  Input("f-dates", "start_date"), Input("f-dates", "end_date"), Input("f-by", "value"),
                  Input("f-cmp", "value"), Input("f-q", "value"), Input("tabs", "value"), Input("f-reset", "n_clicks"))
    def sync_url(search, *values):
        """URL <-> filter widgets: the URL is the state, so a view can be shared as a link."""
        trigger = dash_ctx.triggered_id
        if trigger in (None, "url", "f-reset"):
            state = parse_search("" if trigger == "f-reset" else search)
            if trigger == "f-reset":
                state["view"] = values[-2]
            with data.db() as db:
                c = Context(state, data.bounds(db))
            widgets = [state[key] for _, key in FILTERS] + [
                c.start if not c.empty_store else None, c.end if not c.empty_store else None,
                state["by"], state["cmp"], state["q"], state["view"]]
            return (*widgets, to_search(state) if trigger == "f-reset" else no_update)
        lists, (start, end, by, cmp, q, view) = values[:len(FILTERS)], values[len(FILTERS):-1]
        state = {key: list(v or []) for (_, key), v in zip(FILTERS, lists)}
        state.update(start=(start or "")[:10] or None, end=(end or "")[:10] or None, by=by, q=(q or "").strip(),
                     view=view, cmp=cmp)
        old = parse_search(search)
        if old["spike"] and (old["start"], old["end"], old["view"]) == (state["start"], state["end"], view):
            state["spike"] = old["spike"]  # opened from a spike marker: kept until the dates or tab change
        new = to_search(parse_search(to_search(state)))
        return (*[no_update] * (len(FILTERS) + 6), new if new != (search or "") else no_update)

    @app.callback(*[Output(f"view-{name}", "style") for name in VIEWS], Output("period-label", "children"),
                  Input("url", "search"))
    def show_view(search):
        state = parse_search(search)
        with data.db() as db:
            c = Context(state, data.bounds(db))
        label = "" if c.empty_store else \
            f"선택 기간 {c.start} ~ {c.end} · 비교: {c.cmp_label} {c.prev_start} ~ {c.prev_end}"
        return (*[{"display": "block" if name == state["view"] else "none"} for name in VIEWS], label)

    for name, view in VIEWS.items():
        if name != "documents":
            _register_view(app, data, name, view)
    _register_view(app, data, "topics", topics, topics.KEYWORD_OUTPUTS, topics.render_keywords)
    _register_view(app, data, "overview", interest, interest.OUTPUTS)  # the search-interest panel
    _register_documents(app, data)
    review.register(app, data)
    entities.register(app, data)  # 인물·연관어: the chosen name's trend
    related.register(app, data)   # and the related-words network (word box, node clicks)
    _register_region_click(app)
    _register_spike_click(app)
    _register_presets(app, data)
    _register_view(app, data, "documents", documents, documents.DRIVER_OUTPUTS, documents.render_drivers)
    _register_download(app, data)
    event_markers.register(app, data)
    events_view.register(app, data)
    watchlists.register(app, data)


def _register_view(app, data, name, view, outputs_spec=None, render_fn=None):
    outputs_spec = outputs_spec or view.OUTPUTS
    outputs = [Output(id_, prop) for id_, prop in outputs_spec]
    marked = any(id_ in event_markers.MARKED for id_, _ in outputs_spec)  # time charts: policy events drawn

    @app.callback(outputs, Input("url", "search"), *([Input("ev-show", "value")] if marked else []))
    def render(search, show=None):
        state = parse_search(search)
        if state["view"] != name:
            raise PreventUpdate
        result = _guard(_render_view)(data, view, state, render_fn, show)
        if isinstance(result, tuple):  # an error message
            if outputs_spec[0][1] != "children":
                raise PreventUpdate
            return [notice(result[1], "error"), *[no_update] * (len(outputs) - 1)]
        return [result[id_] for id_, _ in outputs_spec]


def _render_view(data, view, state, render_fn=None, show=None):
    with data.db() as db:
        c = Context(state, data.bounds(db))
        result = (render_fn or view.render)(data, db, c)
        return event_markers.decorate(result, db, c, show) if show else result


def _register_documents(app, data):
    @app.callback(Output("doc-notice", "children"), Output("doc-table", "data"), Output("doc-table", "page_count"),
                  Output("doc-total", "children"), Output("doc-table", "page_current"),
                  Input("url", "search"), Input("doc-relevance", "value"), Input("doc-sort", "value"),
                  Input("doc-table", "page_current"), Input("ann-saved", "data"), Input("doc-group", "value"))
    def table(search, relevance, sort, page, _saved, group):
        state = parse_search(search)
        if state["view"] != "documents":
            raise PreventUpdate
        page = page if dash_ctx.triggered_id in ("doc-table", "ann-saved") else 0

        def work():
            with data.db() as db:
                return documents.render_table(data, db, Context(state, data.bounds(db)), relevance, sort, page, group)
        r = _guard(work)()
        if isinstance(r, tuple):
            return notice(r[1], "error"), [], 1, "", 0
        return r["doc-notice"], r["doc-table"], r["doc-table.page_count"], r["doc-total"], page

    form_values = [Output("ann-relevant", "value"), Output("ann-sentiment", "value"), Output("ann-topics", "value"),
                   Output("ann-regions", "value")]

    @app.callback(Output("ann-doc-id", "data"), Output("doc-detail", "children"), Output("ann-form", "style"),
                  *form_values, Output("ann-result", "children"),
                  Input("doc-table", "active_cell"), State("doc-table", "data"), prevent_initial_call=True)
    def open_detail(cell, rows):
        if not cell or not rows or cell["row"] >= len(rows):
            raise PreventUpdate
        doc_id = rows[cell["row"]]["id"]
        with data.db() as db:
            panel, form = documents.detail(db, doc_id)
        if not form:
            return None, panel, {"display": "none"}, None, None, [], [], ""
        return (doc_id, panel, {"display": "block"}, form["relevant"], form["sentiment"], form["topics"],
                form["regions"], "")

    @app.callback(Output("ann-result", "children", allow_duplicate=True), Output("ann-saved", "data"),
                  Output("doc-detail", "children", allow_duplicate=True),
                  Input("ann-save", "n_clicks"), State("ann-doc-id", "data"), State("ann-relevant", "value"),
                  State("ann-sentiment", "value"), State("ann-topics", "value"), State("ann-regions", "value"),
                  State("ann-annotator", "value"), State("ann-note", "value"), State("ann-saved", "data"),
                  State("ann-story", "value"), prevent_initial_call=True)
    def save(_clicks, doc_id, relevant, sentiment, topic_values, region_values, annotator, note, saved, story):
        if not doc_id:
            raise PreventUpdate
        annotator = auth_mod.current_user() or (annotator or "").strip()
        if not annotator:
            return notice("검토자 이름을 입력해 주세요. 누가 고쳤는지 기록합니다.", "warn"), no_update, no_update
        try:
            with data.db() as db:
                correct = add_story_annotation if "story" in (story or []) else add_annotation
                done = correct(db, doc_id, annotator, relevant=relevant, sentiment=sentiment,
                               topics=list(topic_values or []), regions=list(region_values or []),
                               note=(note or "").strip() or None)
                panel, _ = documents.detail(db, doc_id)
        except (KeyError, ValueError) as exc:
            return notice(f"저장하지 못했습니다: {exc}", "error"), no_update, no_update
        scope = f"같은 묶음의 기사 {done}건 모두 " if correct is add_story_annotation else ""
        return (notice(f"{scope}저장되었습니다 ({annotator}). 학습(train) 때 이 수정이 쓰입니다.", "ok"),
                (saved or 0) + 1, panel)


def _register_region_click(app):
    @app.callback(Output("f-region", "value", allow_duplicate=True), Input("rg-map", "clickData"),
                  Input("rg-bars", "clickData"), State("f-region", "value"), prevent_initial_call=True)
    def click(map_click, bar_click, current):
        click = map_click if dash_ctx.triggered_id == "rg-map" else bar_click
        if not click or not click.get("points"):
            raise PreventUpdate
        point = click["points"][0]
        region = point.get("customdata") or point.get("y")
        if region not in ALL_REGIONS:
            raise PreventUpdate
        current = list(current or [])
        return [r for r in current if r != region] if region in current else current + [region]


def _register_presets(app, data):
    """지난 7일 / 지난주 / 지난달 / 올해: set the dates (counted back from the last day with data)."""
    @app.callback(Output("f-dates", "start_date", allow_duplicate=True), Output("f-dates", "end_date", allow_duplicate=True),
                  *[Input(f"preset-{key}", "n_clicks") for key in PRESETS], prevent_initial_call=True)
    def preset(*_clicks):
        name = (dash_ctx.triggered_id or "").removeprefix("preset-")
        with data.db() as db:
            last = data.bounds(db)[1]
        if name not in PRESETS or not last:
            raise PreventUpdate
        return preset_range(name, last)

    # a phone opens with the filters folded (the first screen shows the charts)
    app.clientside_callback("function(_) { return window.innerWidth > 700; }",
                            Output("filters-box", "open"), Input("url", "pathname"))


def _register_spike_click(app):
    """A click on a spike marker (▼) opens the documents of its day(s) under the same filters."""
    @app.callback(Output("url", "search", allow_duplicate=True), Input("ov-volume", "clickData"),
                  Input("ov-critic", "clickData"), State("url", "search"), prevent_initial_call=True)
    def click(volume_click, critic_click, search):
        click = volume_click if dash_ctx.triggered_id == "ov-volume" else critic_click
        days = ((click or {}).get("points") or [{}])[0].get("customdata")
        state = parse_search(search)
        if not (isinstance(days, list) and len(days) == 2 and all(parse_search(f"?start={d}")["start"] for d in days)):
            raise PreventUpdate  # not a spike marker
        state.update(view="documents", start=days[0], end=days[1], spike=days[0])
        return to_search(state)


def _register_download(app, data):
    @app.callback(Output("dl", "data"), Input("dl-button", "n_clicks"), State("url", "search"),
                  State("doc-relevance", "value"), State("doc-sort", "value"), prevent_initial_call=True)
    def download(_clicks, search, relevance, sort):
        state = parse_search(search)
        view = VIEWS[state["view"]]
        with data.db() as db:
            c = Context(state, data.bounds(db))
            rows = (documents.rows(data, db, c, relevance, sort) if view is documents
                    else view.rows(data, db, c))
        name = f"{view.TITLE}_{c.start}_{c.end}.csv"
        return {"content": base64.b64encode(to_csv(rows)).decode(), "filename": name, "base64": True,
                "type": "text/csv"}


def to_csv(rows):
    """CSV bytes with a UTF-8 BOM so Excel shows Korean correctly."""
    out = io.StringIO()
    if rows:
        fields = list(rows[0])
        writer = csv.writer(out)
        writer.writerow(fields)
        writer.writerows([neutralise(row.get(k)) for k in fields] for row in rows)  # no live formula (safe_cells.py)
    else:
        out.write("자료 없음\n")
    return out.getvalue().encode("utf-8-sig")
