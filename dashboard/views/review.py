"""검토 필요: the review queue (store.review) — model labels that are least certain, the ones
whose correction teaches the model most first; each row opens the document's correction form
in the 문서 view (?view=documents&doc=ID)."""
from urllib.parse import quote

from dash import Input, Output, html, no_update
from dash.exceptions import PreventUpdate

from dashboard.state import parse_search
from dashboard.views import documents
from dashboard.views.common import EMPTY_STORE, fmt_int, notice, table
from store.review import review_queue
from vocabulary import SENTIMENT_KO

TITLE = "검토 필요"
OUTPUTS = (("rv-body", "children"),)
LIMIT = 50
DOUBT_KO = {"relevance": "관련성", "sentiment": "논조"}


def layout():
    return html.Div(id="rv-body")


def reason(r):
    """Why the model is unsure, in words staff can check against the text."""
    if r["doubt"] == "relevance":
        return f"관련/무관 경계 (관련도 점수 {r['relevance_score']:.2f})"
    top = sorted(r["sentiment_scores"].items(), key=lambda kv: -kv[1])[:2]
    return "논조 경합: " + " vs ".join(f"{SENTIMENT_KO.get(k, k)} {v:.2f}" for k, v in top)


def render(data, db, ctx):
    if ctx.empty_store:
        return {"rv-body": notice(EMPTY_STORE, "warn")}
    rows = review_queue(db, ctx.filters, limit=LIMIT)
    if not rows:
        return {"rv-body": notice("검토할 문서가 없습니다: 이 기간의 모델 라벨은 모두 사람이 확인했거나 확실합니다.", "ok")}
    shown = [{"rank": k + 1, "pub_date": r["pub_date"], "outlet": r["outlet"] or "-",
              "title_link": f"[{(r['title'] or '(제목 없음)').replace('[', '(').replace(']', ')')}]"
                            f"(/?view=documents&doc={quote(r['id'])})" + documents.basis_badge(r["text_basis"]),
              "label": ("관련 · " + SENTIMENT_KO.get(r["sentiment"], "-")) if r["relevant"] else "무관",
              "reason": reason(r), "story": fmt_int(r["story_size"]), "priority": f"{r['priority']:.2f}"}
             for k, r in enumerate(rows)]
    return {"rv-body": [
        html.P("모델이 가장 헷갈린 문서부터 보여 줍니다. 큰 기사 묶음(여러 매체가 다룬 이야기)일수록 앞에 옵니다. "
               "제목을 누르면 문서 화면에서 수정 양식이 열리고, 고친 라벨은 바로 집계에 반영되며 다음 학습(train)에 쓰입니다.",
               className="hint"),
        table("rv-table", shown, [("rank", "순위"), ("pub_date", "날짜"), ("outlet", "매체·기관"),
                                  ("title_link", "제목 (눌러서 수정)"), ("label", "모델 라벨"),
                                  ("reason", "헷갈린 이유"), ("story", "기사 묶음"), ("priority", "우선순위")],
              page_size=LIMIT, link_target="_self"),
    ]}


def rows(data, db, ctx):
    return [{"순위": k + 1, "날짜": r["pub_date"], "매체·기관": r["outlet"], "제목": r["title"], "링크": r["url"],
             "모델 라벨": ("관련 " + SENTIMENT_KO.get(r["sentiment"], "-")) if r["relevant"] else "무관",
             "헷갈린 이유": reason(r), "기사 묶음": r["story_size"], "우선순위": r["priority"], "문서 ID": r["id"]}
            for k, r in enumerate(review_queue(db, ctx.filters, limit=LIMIT))]


def register(app, data):
    """A queue link (?view=documents&doc=ID) opens that document's detail and correction form."""
    @app.callback(Output("ann-doc-id", "data", allow_duplicate=True),
                  Output("doc-detail", "children", allow_duplicate=True),
                  Output("ann-form", "style", allow_duplicate=True),
                  Output("ann-relevant", "value", allow_duplicate=True),
                  Output("ann-sentiment", "value", allow_duplicate=True),
                  Output("ann-topics", "value", allow_duplicate=True),
                  Output("ann-regions", "value", allow_duplicate=True),
                  Output("ann-result", "children", allow_duplicate=True),
                  Input("url", "search"), prevent_initial_call="initial_duplicate")
    def open_from_link(search):
        state = parse_search(search)
        if state["view"] != "documents" or not state.get("doc"):
            raise PreventUpdate
        with data.db() as db:
            panel, form = documents.detail(db, state["doc"])
        if not form:
            return None, panel, {"display": "none"}, no_update, no_update, no_update, no_update, ""
        return (state["doc"], panel, {"display": "block"}, form["relevant"], form["sentiment"],
                form["topics"], form["regions"], "")
