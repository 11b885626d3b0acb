"""출처: top outlets, civic-group statements and committee press releases."""
import collections

from dash import html

from dashboard import figures
from dashboard.views.common import EMPTY_STORE, NO_MATCH, graph, label_names, link, notice, table
from store.listings import attention, last_listed
from store.periods import period_starts

TITLE = "출처"
OUTPUTS = (("src-notice", "children"), ("src-outlets", "figure"), ("src-civic", "children"),
           ("src-committee", "children"), ("src-share", "figure"))
LIST_COLUMNS = [("pub_date", "날짜"), ("outlet", "단체·기관"), ("title_link", "제목"), ("sentiment_ko", "논조")]


def layout():
    return html.Div([html.Div(id="src-notice"), graph("src-outlets"), graph("src-share"),
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
                "src-civic": None, "src-committee": None, "src-share": figures.message(EMPTY_STORE)}
    outlets = sorted(data.group_totals(db, "outlet", ctx.filters).values(),
                     key=lambda r: r["articles"], reverse=True)[:15]
    if not outlets:
        return {"src-notice": notice(NO_MATCH, "warn"), "src-outlets": figures.message(NO_MATCH),
                "src-civic": None, "src-committee": None, "src-share": share_chart(data, db, ctx)}
    return {"src-notice": None,
            "src-outlets": figures.sentiment_bars(outlets, "outlet", {}, "매체·기관별 기사 수 (상위 15곳, 논조별)", 460),
            "src-civic": _listing(data, db, ctx, "civic", "src-civic-table"),
            "src-committee": _listing(data, db, ctx, "committee", "src-committee-table"),
            "src-share": share_chart(data, db, ctx)}


SHARE_SOURCES = 5  # lines for the sources that listed the most; the whole collection always drawn
SHARE_NOTE = ("분모: 출처가 목록에 올린 항목 수(관련성 판정 전, URL당 한 번) · 분모 없는 자료 제외 "
              "(가져온 자료, 목록 기록 이전 문서) · 목록이 없는 날은 빈칸")
NO_DENOMINATOR = "이 기간에는 수집 목록(분모)이 기록된 출처가 없어 비율을 계산할 수 없습니다 (분모 없는 자료 제외)."


def share_chart(data, db, ctx):
    """수집 대비 비율: relevant articles (and stories) per listed item, overall and per source."""
    periods = period_starts(ctx.by, ctx.start, ctx.end)
    key = ("attention", last_listed(db), ctx.by, repr(ctx.filters))
    overall = data.live.get(db, key, lambda: attention(db, ctx.by, None, ctx.filters))
    if not overall:
        return figures.message(NO_DENOMINATOR, "수집 목록 대비 관련 기사 비율 (%)")
    per_source = data.live.get(db, key + ("source",), lambda: attention(db, ctx.by, "source", ctx.filters))
    listed = collections.Counter()
    for r in per_source:
        listed[r["source"]] += r["listed"]
    series = [("전체 (기사 기준)", [{**r, "share": r["article_share"]} for r in overall], False),
              ("전체 (스토리 기준)", [{**r, "share": r["story_share"]} for r in overall], True)]
    series += [(name, [{**r, "share": r["article_share"]} for r in per_source if r["source"] == name], False)
               for name, _ in listed.most_common(SHARE_SOURCES)]
    return figures.share_lines(series, ctx.by, periods,
                               f"수집 목록 대비 관련 기사 비율 ({figures.PERIOD_KO[ctx.by]}별, 단위: %)", SHARE_NOTE)


def rows(data, db, ctx):
    return [{"매체·기관": r["outlet"], "기사 수": r["articles"], "부정": r["negative"], "중립": r["neutral"],
             "긍정": r["positive"], "부정 비율": r["negative_share"]}
            for r in sorted(data.group_totals(db, "outlet", ctx.filters).values(),
                            key=lambda r: r["articles"], reverse=True)]
