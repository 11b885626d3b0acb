"""출처: top outlets, civic-group statements and committee press releases."""
from dash import html

from dashboard import figures
from dashboard.views.common import EMPTY_STORE, NO_MATCH, graph, label_names, link, notice, table

TITLE = "출처"
OUTPUTS = (("src-notice", "children"), ("src-outlets", "figure"), ("src-civic", "children"),
           ("src-committee", "children"))
LIST_COLUMNS = [("pub_date", "날짜"), ("outlet", "단체·기관"), ("title_link", "제목"), ("sentiment_ko", "논조")]


def layout():
    return html.Div([html.Div(id="src-notice"), graph("src-outlets"),
                     html.Div([html.Div([html.H3("시민단체 성명·논평"), html.Div(id="src-civic")], className="half"),
                               html.Div([html.H3("자치경찰위원회 보도자료"), html.Div(id="src-committee")],
                                        className="half")], className="row")])


def _listing(data, db, ctx, kind, id_):
    if ctx.state.get("kind") and kind not in ctx.state["kind"]:
        return html.P("출처 유형 필터에서 제외되었습니다.", className="hint")
    docs, total = data.documents(db, ctx.filters.replace(source_kinds=[kind]), "published_desc", 15, 0)
    if not docs:
        return html.P("이 기간에 해당 문서가 없습니다.", className="hint")
    rows_ = [{**d, **label_names(d), "title_link": link(d["title"], d["url"])} for d in docs]
    return html.Div([html.P(f"총 {total:,}건 중 최근 {len(docs)}건", className="hint"),
                     table(id_, rows_, LIST_COLUMNS, page_size=15)])


def render(data, db, ctx):
    if ctx.empty_store:
        return {"src-notice": notice(EMPTY_STORE, "warn"), "src-outlets": figures.message(EMPTY_STORE),
                "src-civic": None, "src-committee": None}
    outlets = sorted(data.group_totals(db, "outlet", ctx.filters).values(),
                     key=lambda r: r["articles"], reverse=True)[:15]
    if not outlets:
        return {"src-notice": notice(NO_MATCH, "warn"), "src-outlets": figures.message(NO_MATCH),
                "src-civic": None, "src-committee": None}
    return {"src-notice": None,
            "src-outlets": figures.sentiment_bars(outlets, "outlet", {}, "매체·기관별 기사 수 (상위 15곳, 논조별)", 460),
            "src-civic": _listing(data, db, ctx, "civic", "src-civic-table"),
            "src-committee": _listing(data, db, ctx, "committee", "src-committee-table")}


def rows(data, db, ctx):
    return [{"매체·기관": r["outlet"], "기사 수": r["articles"], "부정": r["negative"], "중립": r["neutral"],
             "긍정": r["positive"], "부정 비율": r["negative_share"]}
            for r in sorted(data.group_totals(db, "outlet", ctx.filters).values(),
                            key=lambda r: r["articles"], reverse=True)]
