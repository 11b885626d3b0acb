"""The related-words panel of the 인물·연관어 tab: a network of the period's most frequent
terms (or of one word and its most associated terms), the table of its edges and a CSV
link, all from analysis/related.py, the same answer as /api/v1/related for the filters."""
from urllib.parse import urlencode

from dash import Input, Output, State, ctx as dash_ctx, dcc, html
from dash.exceptions import PreventUpdate

from analysis.related import related
from dashboard import figures
from dashboard.network import network_figure
from dashboard.state import Context, parse_search
from dashboard.views.common import EMPTY_STORE, graph, notice, table
from store import terms
from store.queries import QueryError

TOP = 30          # terms of the whole-period network
NEIGHBOURS = 30   # associated terms of one word
DRAWN = 80        # strongest edges drawn in the network (the table lists all)
OUTPUTS = ("rl-notice", "children"), ("rl-network", "figure"), ("rl-table", "children"), ("rl-csv", "href")
COLUMNS = [("source", "낱말"), ("target", "연관어"), ("cooccurrences", "함께 나온 문장 수"), ("pmi", "연관 점수 (PMI)"),
           ("npmi", "정규화 점수 (-1~1)"), ("source_sentences", "낱말이 나온 문장 수"),
           ("target_sentences", "연관어가 나온 문장 수")]
HINT = ("같은 문장(제목은 한 문장)에 함께 나온 낱말을 잇습니다. 연관 점수(PMI)는 두 낱말이 우연보다 몇 배 자주 함께 "
        "나오는지를 2의 거듭제곱으로 나타낸 값입니다(1 = 2배, 2 = 4배). 정규화 점수는 같은 값을 -1~1로 바꾼 것으로 1이면 "
        "늘 함께 나옵니다. 함께 나온 문장이 3개 미만인 짝은 뺐습니다. 낱말 칸을 비우면 이 기간 가장 많이 나온 "
        f"낱말 {TOP}개의 연결망, 낱말을 넣거나 그림의 점을 누르면 그 낱말 중심으로 봅니다.")


def layout():
    return html.Div([
        html.H3("연관어 네트워크"), html.P(HINT, className="hint"),
        html.Div([dcc.Input(id="rl-word", type="search", debounce=True, className="search",
                            placeholder="낱말 입력 (예: 예산)"),
                  html.Button("주요 낱말 전체 보기", id="rl-all", n_clicks=0),
                  html.A("연결선 CSV 내려받기", id="rl-csv", href="", className="button-link", download="related.csv",
                         title="표의 연결선 전체 (엑셀에서 열림)")], className="related-controls"),
        html.Div(id="rl-notice"), graph("rl-network"), html.Div(id="rl-table")], id="rl-panel")


def api_query(ctx, word):
    """The /api/v1/related query string of these filters and word."""
    s = ctx.state
    pairs = [("from", ctx.start), ("to", ctx.end)]
    for key, param in (("region", "region"), ("topic", "topic"), ("sentiment", "sentiment"), ("kind", "source_kind"),
                       ("outlet", "outlet")):
        pairs += [(param, v) for v in s.get(key) or []]
    pairs += [("q", s["q"])] if s.get("q") else []
    pairs += [("word", word)] if word else [("top", TOP)]
    return urlencode(pairs + ([("n", NEIGHBOURS)] if word else []))


def render(data, db, ctx, word):
    word = " ".join((word or "").split())[:50]
    csv = f"/api/v1/related?{api_query(ctx, word)}&format=csv"
    if ctx.empty_store:
        return {"rl-notice": notice(EMPTY_STORE, "warn"), "rl-network": figures.message(EMPTY_STORE),
                "rl-table": None, "rl-csv": csv}
    try:
        result = data.live.get(db, ("related", terms.generation(db), repr(ctx.filters), word),
                               lambda: related(db, ctx.filters, word=word or None, top=TOP, n=NEIGHBOURS))
    except QueryError as exc:
        return {"rl-notice": notice(str(exc), "warn"), "rl-network": figures.message(str(exc)), "rl-table": None,
                "rl-csv": csv}
    edges = result["edges"]
    waiting = f" · 분석 대기 {result['unanalysed']:,}건" if result["unanalysed"] else ""
    what = f"'{result['word']}'과(와) 함께 나온 낱말" if word else f"이 기간 주요 낱말 {TOP}개의 연결"
    title = f"{what} (문장 {result['sentences']:,}개){waiting}"
    if not edges:
        return {"rl-notice": None, "rl-network": figures.message("함께 3문장 이상 나온 낱말이 없습니다.", title),
                "rl-table": None, "rl-csv": csv}
    drawn = sorted(edges, key=lambda e: -e["pmi"])[:DRAWN]
    if len(drawn) < len(edges):
        title += f" · 그림은 점수가 높은 연결 {DRAWN}개, 표는 전체 {len(edges)}개"
    kinds = terms.kinds(db, {e[k] for e in drawn for k in ("source", "target")})
    rows_ = [{k: (round(e[k], 2) if k in ("pmi", "npmi") else e[k]) for k, _ in COLUMNS} for e in edges]
    return {"rl-notice": None, "rl-network": network_figure(drawn, kinds, title, centre=result["word"]),
            "rl-table": table("rl-edges", rows_, COLUMNS, page_size=15), "rl-csv": csv}


def register(app, data):
    """The panel follows the filters (URL) and the word box; a click on a node or the
    '전체' button sets the word box."""
    @app.callback([Output(id_, prop) for id_, prop in OUTPUTS], Input("url", "search"), Input("rl-word", "value"))
    def draw(search, word):
        state = parse_search(search)
        if state["view"] != "words":
            raise PreventUpdate
        with data.db() as db:
            out = render(data, db, Context(state, data.bounds(db)), word)
        return [out[id_] for id_, _ in OUTPUTS]

    @app.callback(Output("rl-word", "value"), Input("rl-network", "clickData"), Input("rl-all", "n_clicks"),
                  State("rl-word", "value"), prevent_initial_call=True)
    def centre(click, _all, current):
        if dash_ctx.triggered_id == "rl-all":
            return ""
        word = ((click or {}).get("points") or [{}])[0].get("customdata")
        if not isinstance(word, str) or word == current:
            raise PreventUpdate
        return word
