"""이벤트: the policy events of the period (bills, law revisions, milestones, staff notes) and
the form staff use to add, edit and delete their own notes (events.table), with their name
like corrections in 문서. A row opens the coverage panel (dashboard.event_markers)."""
from dash import Input, Output, State, ctx as dash_ctx, dash_table, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import auth as auth_mod
from dashboard.event_markers import open_panel
from dashboard.figures import FONT
from dashboard.state import Context, parse_search
from dashboard.views.common import link, notice
from events import table as events_table
from vocabulary import ALL_REGIONS

TITLE = "이벤트"
OUTPUTS = (("ev-summary", "children"),)
COLUMNS = [("date", "날짜"), ("kind_ko", "종류"), ("title_link", "제목"), ("region_ko", "지역"), ("source_ko", "출처"),
           ("author", "작성자")]
FORM_FIELDS = ("ev-date", "ev-title", "ev-region", "ev-url", "ev-note")


def layout():
    return html.Div([
        html.P(id="ev-summary", className="hint"),
        html.Div(id="ev-notice"),
        dash_table.DataTable(
            id="ev-table", columns=[{"id": c, "name": n, **({"presentation": "markdown"} if c == "title_link" else {})}
                                    for c, n in COLUMNS],
            data=[], page_size=20, sort_action="native", markdown_options={"link_target": "_blank"},
            style_cell={"fontFamily": FONT, "fontSize": 14, "textAlign": "left", "padding": "6px",
                        "whiteSpace": "normal", "height": "auto", "maxWidth": 620, "cursor": "pointer"},
            style_header={"fontWeight": "bold", "backgroundColor": "#f3f5f8"}),
        html.P("행을 누르면 전후 보도량이 열립니다. 담당자 메모는 아래 양식에서 고치거나 지울 수 있습니다. "
               "국회·법령 이벤트는 매일 자동으로 수집되고, 주요 일정은 config/events.toml에 있습니다.", className="hint"),
        dcc.Store(id="ev-edit-id"), dcc.Store(id="ev-saved", data=0),
        html.Div(className="panel", id="ev-form", children=[
            html.H3(id="ev-form-title", children="담당자 메모 추가"),
            html.Label("날짜 (YYYY-MM-DD)"), dcc.Input(id="ev-date", type="text", placeholder="2024-06-05", maxLength=10),
            html.Label("제목"), dcc.Input(id="ev-title", type="text", maxLength=events_table.MAX_TITLE,
                                        style={"width": "100%"}, placeholder="예: 서울시자치경찰위원회 정책 토론회"),
            html.Label("지역 (비우면 전국)"), dcc.Dropdown(id="ev-region", options=[{"label": r, "value": r} for r in ALL_REGIONS],
                                                   placeholder="전국", style={"width": 220}),
            html.Label("관련 주소 (선택)"), dcc.Input(id="ev-url", type="text", placeholder="https://…", style={"width": "100%"}),
            html.Label("메모 (선택)"), dcc.Textarea(id="ev-note", style={"width": "100%", "height": 60},
                                                maxLength=events_table.MAX_NOTE),
            html.Label("작성자 이름"), dcc.Input(id="ev-author", type="text", placeholder="예: 홍길동", persistence=True,
                                             persistence_type="local"),
            html.Div(className="toolbar", children=[
                html.Button("저장", id="ev-save", n_clicks=0, className="button-primary"),
                html.Button("새 메모", id="ev-new", n_clicks=0, className="button-primary"),
                html.Button("이 메모 삭제", id="ev-delete", n_clicks=0, className="button-primary", disabled=True)]),
            html.Div(id="ev-result", role="status"),
        ]),
    ])


def period_events(db, ctx):
    return events_table.list_events(db, ctx.start, ctx.end, regions=ctx.state.get("region") or None,
                                    with_national=True)


def render(data, db, ctx):
    found = period_events(db, ctx)
    counts = {}
    for e in found:
        counts[events_table.KINDS[e["kind"]]] = counts.get(events_table.KINDS[e["kind"]], 0) + 1
    parts = ", ".join(f"{k} {n}건" for k, n in counts.items())
    return {"ev-summary": f"{ctx.start} ~ {ctx.end} 정책 이벤트 {len(found)}건" + (f" ({parts})" if parts else "")}


def table_rows(db, ctx):
    return [{"id": e["id"], "date": e["date"], "kind_ko": events_table.KINDS[e["kind"]],
             "title_link": link(e["title"], e["url"]), "region_ko": e["region"] or "전국",
             "source_ko": events_table.SOURCES.get(e["source"], e["source"]), "author": e["author"] or ""}
            for e in period_events(db, ctx)]


def rows(data, db, ctx):
    return [{"날짜": e["date"], "종류": events_table.KINDS[e["kind"]], "제목": e["title"], "링크": e["url"],
             "지역": e["region"] or "전국", "출처": events_table.SOURCES.get(e["source"], e["source"]),
             "작성자": e["author"], "메모": e["note"], "이벤트 ID": e["id"]} for e in period_events(db, ctx)]


def _form(event=None):
    """Form values (title, fields, edit id, delete enabled) for a staff note or a blank form."""
    if not event:
        return ("담당자 메모 추가", None, "", None, "", "", None, True)
    return (f"담당자 메모 수정 (#{event['id']})", event["date"], event["title"], event["region"], event["url"] or "",
            event["note"] or "", event["id"], False)


def register(app, data):
    form_outputs = [Output("ev-form-title", "children"), *[Output(f, "value") for f in FORM_FIELDS],
                    Output("ev-edit-id", "data"), Output("ev-delete", "disabled")]

    @app.callback(Output("ev-table", "data"), Output("ev-notice", "children"), Input("url", "search"),
                  Input("ev-saved", "data"))
    def table(search, _saved):
        state = parse_search(search)
        if state["view"] != "events":
            raise PreventUpdate
        with data.db() as db:
            found = table_rows(db, Context(state, data.bounds(db)))
        return found, None if found else notice("이 기간에 정책 이벤트가 없습니다. 기간을 넓혀 보세요.", "warn")

    @app.callback(Output("ev-panel", "style", allow_duplicate=True), Output("ev-panel-body", "children",
                                                                           allow_duplicate=True),
                  *[Output(o.component_id, o.component_property, allow_duplicate=True) for o in form_outputs],
                  Output("ev-result", "children", allow_duplicate=True),
                  Input("ev-table", "active_cell"), State("ev-table", "derived_viewport_data"), State("url", "search"),
                  prevent_initial_call=True)
    def pick(cell, rows_, search):
        if not cell or not rows_ or cell["row"] >= len(rows_):
            raise PreventUpdate
        event_id = rows_[cell["row"]]["id"]
        style, body = open_panel(data, search, event_id)
        with data.db() as db:
            event = events_table.get(db, event_id)
        form = _form(event) if event and event["kind"] == "staff_note" else [no_update] * len(form_outputs)
        return (style, body, *form, "")

    @app.callback(*[Output(o.component_id, o.component_property, allow_duplicate=True) for o in form_outputs],
                  Output("ev-result", "children", allow_duplicate=True), Input("ev-new", "n_clicks"),
                  prevent_initial_call=True)
    def blank(_clicks):
        return (*_form(), "")

    @app.callback(Output("ev-result", "children"), Output("ev-saved", "data"),
                  *[Output(o.component_id, o.component_property, allow_duplicate=True) for o in form_outputs],
                  Input("ev-save", "n_clicks"), Input("ev-delete", "n_clicks"), State("ev-edit-id", "data"),
                  *[State(f, "value") for f in FORM_FIELDS], State("ev-author", "value"), State("ev-saved", "data"),
                  prevent_initial_call=True)
    def save(_save, _delete, event_id, date, title, region, url, note, author, saved):
        author = auth_mod.current_user() or (author or "").strip()
        keep = [no_update] * len(form_outputs)
        if not author:
            return notice("작성자 이름을 입력해 주세요. 누가 적었는지 기록합니다.", "warn"), no_update, *keep
        try:
            with data.db() as db:
                if dash_ctx.triggered_id == "ev-delete":
                    if not event_id:
                        raise PreventUpdate
                    row = events_table.delete_note(db, event_id)
                    return (notice(f"삭제되었습니다: {row['date']} {row['title']} ({author})", "ok"), (saved or 0) + 1,
                            *_form())
                if event_id:
                    row = events_table.update_note(db, event_id, author, date=date, title=title, region=region or "",
                                                   url=url or "", note=note or "")
                    message = "수정되었습니다"
                else:
                    row = events_table.get(db, events_table.add_note(db, date, title, author, region, url, note))
                    message = "추가되었습니다"
        except events_table.EventError as exc:
            return notice(f"저장하지 못했습니다: {exc}", "error"), no_update, *keep
        return (notice(f"{message}: {row['date']} {row['title']} ({author}). 타임라인에 바로 표시됩니다.", "ok"),
                (saved or 0) + 1, *_form(row))
