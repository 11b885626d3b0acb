"""인물·연관어: the period's most mentioned people, organisations and places against the
comparison period (analysis/entities.py, the same rows as /api/v1/entities), a daily trend
of one of them, and under it the related-words network (views/related.py)."""
from dash import Input, Output, State, ctx as dash_ctx, dcc, html
from dash.exceptions import PreventUpdate

from analysis.entities import KIND_KO, KINDS, entity_days, top_entities
from dashboard import figures
from dashboard.state import Context, parse_search
from dashboard.views import related
from dashboard.views.common import EMPTY_STORE, NO_MATCH, change, fmt_int, graph, notice, table
from store import terms
from store.queries import QueryError

TITLE = "인물·연관어"
OUTPUTS = (("en-notice", "children"), ("en-tables", "children"), ("en-pick", "options"))
TOP = 10
HINT = ("기사 수 = 선택한 기간·필터의 관련 기사 가운데 그 이름이 한 번이라도 나온 기사 수입니다. 이름은 기사 본문에서 "
        "자동으로 뽑았습니다(인물: '위원장'·'청장'처럼 직함 앞의 이름, 기관: 위원회·경찰청·연대 등으로 끝나는 이름과 "
        "자치경찰위원회 별칭, 장소: 시·도와 시·군·구). 표의 이름을 누르면 아래에 날짜별 추이가 나옵니다.")


def layout():
    return html.Div([
        html.Div(id="en-notice"), html.H3("많이 나온 인물·기관·장소"), html.P(HINT, className="hint"),
        html.Div(id="en-tables", className="row"),
        html.Div([html.Label("추이를 볼 이름", htmlFor="en-pick", className="hint"),
                  dcc.Dropdown(id="en-pick", clearable=False, placeholder="이름 고르기", className="filter")],
                 className="entity-pick"),
        graph("en-trend"), related.layout()])


def entity_rows(db, ctx):
    return top_entities(db, ctx.filters, ctx.prev_filters, n=TOP)


def render(data, db, ctx):
    empty = {"en-tables": None, "en-pick": []}
    if ctx.empty_store:
        return {"en-notice": notice(EMPTY_STORE, "warn"), **empty}
    rows_ = data.live.get(db, ("entities", terms.generation(db), repr(ctx.filters), repr(ctx.prev_filters)),
                          lambda: entity_rows(db, ctx))
    waiting = terms.unanalysed(db, ctx.filters)
    note = notice(f"이름을 아직 뽑지 않은 기사 {waiting:,}건은 빠져 있습니다 (잠시 뒤 다시 보세요).") if waiting else None
    if not rows_:
        return {"en-notice": [notice(NO_MATCH if not data.totals(db, ctx.filters)["articles"]
                                     else "이 기간 기사에서 찾은 인물·기관·장소가 없습니다.", "warn"), note], **empty}
    columns = [("순위", "순위"), ("이름", "이름"), ("기사 수", "기사 수"), ("비교", ctx.cmp_label), ("변화", "변화")]
    tables = []
    for kind in KINDS:
        shown = [r for r in rows_ if r["kind"] == kind]
        body = table(f"en-table-{kind}", [{  # always drawn (empty too): the click callback needs all three
            "순위": r["rank"], "이름": r["entity"], "기사 수": fmt_int(r["documents"], "건"),
            "비교": fmt_int(r["comparison_documents"], "건"),
            "변화": change(r["documents"], r["comparison_documents"]) if r["comparison_documents"] else "새로 나옴"}
            for r in shown], columns, page_size=TOP)
        none = None if shown else html.P("찾은 이름이 없습니다.", className="hint")
        tables.append(html.Div([html.H4(KIND_KO[kind]), none, body], className="third"))
    options = [{"label": f"{r['entity']} ({KIND_KO[r['kind']]})", "value": r["entity"]} for r in rows_]
    return {"en-notice": note, "en-tables": tables, "en-pick": options}


def trend(data, db, ctx, name):
    """Documents mentioning `name` per day of the period (zeros included)."""
    days = entity_days(db, ctx.filters, name)
    rows_ = [{"period": day, "articles": n, "entity": name} for day, n in days]
    return figures.group_lines(rows_, "day", "entity", [name], f"'{name}'이(가) 나온 기사 수 (일별)")


def rows(data, db, ctx):
    """The CSV of the tab: the entity table (the related words have their own CSV link)."""
    return [{"구분": KIND_KO[r["kind"]], "순위": r["rank"], "이름": r["entity"], "기사 수": r["documents"],
             f"{ctx.cmp_label} 기사 수": r["comparison_documents"], "변화율": r["change"]}
            for r in entity_rows(db, ctx)]


def register(app, data):
    """The trend of the chosen name (the first one of a new list); a click on a name in a
    table chooses it."""
    @app.callback(Output("en-pick", "value"), Input("en-pick", "options"), State("en-pick", "value"))
    def first(options, current):
        values = [o["value"] for o in options or []]
        return current if current in values else (values[0] if values else None)

    @app.callback(Output("en-trend", "figure"), Input("en-pick", "value"), Input("url", "search"))
    def draw(name, search):
        state = parse_search(search)
        if state["view"] != "words" or not name:
            raise PreventUpdate
        with data.db() as db:
            try:
                return trend(data, db, Context(state, data.bounds(db)), name)
            except QueryError as exc:
                return figures.message(str(exc))

    tables = [f"en-table-{kind}" for kind in KINDS]

    @app.callback(Output("en-pick", "value", allow_duplicate=True), *[Input(t, "active_cell") for t in tables],
                  *[State(t, "derived_viewport_data") for t in tables], prevent_initial_call=True)
    def pick(*args):
        cells, shown = args[:len(tables)], args[len(tables):]
        which = tables.index(dash_ctx.triggered_id) if dash_ctx.triggered_id in tables else None
        cell = cells[which] if which is not None else None
        if not cell or not shown[which] or cell["row"] >= len(shown[which]):
            raise PreventUpdate
        return shown[which][cell["row"]]["이름"]
