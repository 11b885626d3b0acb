"""문서: searchable, sortable, paginated table; a detail panel with the model's labels and
scores; staff corrections saved as annotations (store.labels.add_annotation)."""
import json

from dash import dash_table, dcc, html

from analysis.keywords import distinctive_terms
from dashboard.spikes import for_view as view_spikes
from dashboard.figures import FONT
from dashboard.views.common import EMPTY_STORE, NO_MATCH, label_names, link, notice
from vocabulary import ALL_REGIONS, SENTIMENT_KO, TOPICS
from store.queries import document_detail, document_page, recent_documents, story_documents, story_page
from store.util import is_web_url

TITLE = "문서"
PAGE_SIZE = 20
OUTPUTS = (("doc-notice", "children"), ("doc-table", "data"), ("doc-table", "page_count"),
           ("doc-total", "children"))
DRIVER_OUTPUTS = (("doc-drivers", "children"),)  # own callback: the table stays fast
BASELINE_DAYS = 28
SPIKE_SAMPLE = 300      # newest documents of the spike's days (all of them on a usual day), for the stories
DRIVER_WORDS = 10       # distinctive terms shown (z > 1.96 against the BASELINE_DAYS before)
SORT_KO = {"published_desc": "최신순", "published_asc": "오래된순", "relevance_desc": "관련도순",
           "outlet": "매체순", "title": "제목순"}
RELEVANCE_KO = {"relevant": "관련 문서", "irrelevant": "무관으로 분류된 문서", "all": "전체"}
COLUMNS = [("pub_date", "날짜"), ("outlet", "매체·기관"), ("kind_ko", "유형"), ("title_link", "제목 (원문 링크)"),
           ("copies_ko", "묶음"), ("sentiment_ko", "논조"), ("topics_ko", "주제"), ("regions_ko", "지역"),
           ("origin_ko", "라벨")]
GROUP_KO = {"stories": "기사 묶음으로 보기", "articles": "기사 하나씩 보기"}
ORIGIN_KO = {"model": "모델", "human": "사람", "model+human": "사람 수정"}
# documents that hold less than the whole article (imports): marked so nobody takes a snippet for an article
BASIS_KO = {"snippet": "본문 일부", "title": "제목만"}
BASIS_HINT = "전체 기사가 아니라 가져온 파일의 일부만 있습니다. 분류(관련성·감성·주제)가 덜 정확할 수 있습니다."
IMPORT_KO = {"bigkinds": "BigKinds 가져오기", "csv": "CSV 가져오기", "jsonl": "JSONL 가져오기"}


def layout():
    return html.Div([
        html.Div(id="doc-notice"), html.Div(id="doc-drivers"),
        html.Div([
            html.Label(["정렬 ", dcc.Dropdown(id="doc-sort", options=[{"label": v, "value": k} for k, v in SORT_KO.items()],
                                             value="published_desc", clearable=False, style={"width": 160})]),
            html.Label(["대상 ", dcc.RadioItems(id="doc-relevance", value="relevant", inline=True,
                                              options=[{"label": v, "value": k} for k, v in RELEVANCE_KO.items()])]),
            dcc.RadioItems(id="doc-group", value="stories", inline=True,
                           options=[{"label": v, "value": k} for k, v in GROUP_KO.items()]),
            html.Span(id="doc-total", className="hint"),
        ], className="toolbar"),
        dash_table.DataTable(
            id="doc-table", columns=[{"id": c, "name": n, **({"presentation": "markdown"} if c == "title_link" else {})}
                                     for c, n in COLUMNS],
            page_action="custom", page_current=0, page_size=PAGE_SIZE, page_count=1, data=[],
            markdown_options={"link_target": "_blank"}, cell_selectable=True,
            style_cell={"fontFamily": FONT, "fontSize": 14, "textAlign": "left", "padding": "6px",
                        "whiteSpace": "normal", "height": "auto", "maxWidth": 520, "cursor": "pointer"},
            style_header={"fontWeight": "bold", "backgroundColor": "#f3f5f8"}),
        html.P("행을 누르면 아래에 상세 정보, 같은 묶음의 기사, 수정 양식이 열립니다. 제목을 누르면 원문이 새 창에서 "
               "열립니다. 묶음: 같은 내용을 여러 매체가 실은 기사(전재·복사본)를 한 줄로 모은 것.", className="hint"),
        dcc.Store(id="ann-doc-id"), dcc.Store(id="ann-saved", data=0),
        html.Div(id="doc-detail"),
        html.Div(id="ann-form", style={"display": "none"}, className="panel", children=[
            html.H3("라벨 수정 (사람 검토)"),
            html.Label("관련성"), dcc.RadioItems(id="ann-relevant", inline=True,
                                                options=[{"label": "관련", "value": 1}, {"label": "무관", "value": 0}]),
            html.Label("논조"), dcc.RadioItems(id="ann-sentiment", inline=True,
                                              options=[{"label": SENTIMENT_KO[s], "value": s}
                                                       for s in ("negative", "neutral", "positive")]),
            html.Label("주제"), dcc.Checklist(id="ann-topics", inline=True,
                                             options=[{"label": v, "value": k} for k, v in TOPICS.items()]),
            html.Label("지역"), dcc.Checklist(id="ann-regions", inline=True,
                                             options=[{"label": r, "value": r} for r in ALL_REGIONS]),
            html.Label("검토자 이름"), dcc.Input(id="ann-annotator", type="text", placeholder="예: 홍길동",
                                              persistence=True, persistence_type="local"),
            html.Label("메모 (선택)"), dcc.Textarea(id="ann-note", style={"width": "100%", "height": 60}),
            dcc.Checklist(id="ann-story", value=[], options=[{"label": "같은 기사 묶음의 기사 모두에 적용", "value": "story"}]),
            html.Button("수정 저장", id="ann-save", n_clicks=0, className="button-primary"),
            html.Div(id="ann-result", role="status"),
        ]),
    ])


def table_page(data, db, ctx, relevance, sort, page, group="stories"):
    """(rows, total, unit): a page of articles, or of stories (one row each, its copies
    counted: group='stories'); total counts the same things."""
    f = ctx.filters.replace(relevance=relevance or "relevant")
    sort, offset = sort or "published_desc", (page or 0) * PAGE_SIZE
    if group == "stories":
        docs, total = story_page(db, f, sort, PAGE_SIZE, offset), data.totals(db, f)["stories"]
    else:
        docs, total = data.documents(db, f, sort, PAGE_SIZE, offset)
    rows_ = [{"id": d["id"], "pub_date": d["pub_date"], "outlet": d["outlet"], **label_names(d),
              "title_link": link(d["title"], d["url"]) + basis_badge(d.get("text_basis")), "origin_ko": ORIGIN_KO.get(d["origin"], "미분류"),
              "copies_ko": f"기사 {d['copies']}건" if d.get("copies", 1) > 1 else ""}
             for d in docs]
    return rows_, total


def render_table(data, db, ctx, relevance, sort, page, group="stories"):
    if ctx.empty_store:
        return {"doc-notice": notice(EMPTY_STORE, "warn"), "doc-table": [], "doc-table.page_count": 1,
                "doc-total": ""}
    rows_, total = table_page(data, db, ctx, relevance, sort, page, group)
    pages = max(1, -(-total // PAGE_SIZE))
    what = "기사 묶음" if group == "stories" else "기사"
    return {"doc-notice": None if total else notice(NO_MATCH, "warn"), "doc-table": rows_,
            "doc-table.page_count": pages,
            "doc-total": f"{what} {total:,}건 · {ctx.start} ~ {ctx.end}"
                         + (f" · 검색어 '{ctx.state['q']}'" if ctx.state.get("q") else "")}


def render_drivers(data, db, ctx):
    """'What drove it': opened from a spike marker (?spike=DAY), the spikes of the days shown,
    their most carried stories and busiest outlets, and the terms that set their documents apart
    from the four weeks before under the same filters (analysis/keywords.py)."""
    if not ctx.state.get("spike") or ctx.empty_store:
        return {"doc-drivers": None}
    spikes = view_spikes(data, db, ctx)
    recent = recent_documents(db, ctx.filters, SPIKE_SAMPLE)
    outlets = sorted(data.group_totals(db, "outlet", ctx.filters).values(), key=lambda r: -r["articles"])[:5]
    words, waiting = driver_words(db, ctx.filters)
    days = ctx.start if ctx.start == ctx.end else f"{ctx.start} ~ {ctx.end}"
    sample = "" if len(recent) < SPIKE_SAMPLE else f" (최근 {SPIKE_SAMPLE:,}건 기준)"
    return {"doc-drivers": html.Div(className="panel drivers", id="doc-drivers-panel", children=[
        html.H3(f"급증 원인 살펴보기: {days}"),
        html.Ul([html.Li(s["text"]) for s in spikes]) if spikes else html.P("이 날짜에 저장된 급증이 없습니다.", className="hint"),
        html.Div(className="row", children=[
            html.Div(className="third", children=[html.H4("많이 실린 기사 묶음" + sample), html.Ol([
                html.Li([html.A(s["title"] or "(제목 없음)", href=s["url"], target="_blank"),
                         html.Span(f" · {s['outlets']}개 매체, 기사 {s['articles']}건", className="hint")])
                for s in most_carried(recent)])]),
            html.Div(className="third", children=[html.H4("많이 낸 매체·기관"), html.Ol([
                html.Li(f"{r['outlet'] or '(미상)'} {r['articles']:,}건") for r in outlets])]),
            html.Div(className="third", children=[
                html.H4(f"평소와 다른 낱말 (앞선 {BASELINE_DAYS}일 대비)"),
                html.Ol([html.Li(f"{t['term']} (기사 {t['documents']:,}건 · 앞선 {BASELINE_DAYS}일 "
                                 f"{t['reference_documents']:,}건)") for t in words]) if words
                else html.P("평소와 뚜렷이 다른 낱말이 없습니다.", className="hint"),
                html.P(f"낱말 분석 대기 {waiting:,}건 (잠시 뒤 다시 보세요)", className="hint") if waiting else None]),
        ]),
        html.P("기사 묶음 = 같은 내용을 여러 매체가 실은 기사 모음. 낱말은 이 기간의 기사 전체(제목·본문)를 앞선 "
               f"{BASELINE_DAYS}일과 비교해 주제 탭의 '두드러진 단어'와 같은 방법(가중 로그 오즈비 z점수 1.96 초과)으로 "
               "골랐습니다.", className="hint"),
    ])}


def driver_words(db, filters):
    """([term rows], documents not analysed yet): the period's distinctive terms against the
    BASELINE_DAYS before (z > 1.96), the same method and answer as /api/v1/keywords?ref=before:28."""
    result = distinctive_terms(db, filters, f"before:{BASELINE_DAYS}", n=DRIVER_WORDS)
    return [t for t in result["terms"] if t["z"] > 1.96], result["unanalysed"]


def most_carried(docs, n=5):
    """Stories of these documents ranked by outlets, then articles: [{title, url, outlets, articles}]
    (title and link of each story's earliest document)."""
    stories = {}
    for d in sorted(docs, key=lambda d: (d["published_at"] or "", d["id"])):
        s = stories.setdefault(d["cluster_id"] or d["id"], {"title": d["title"], "url": d["url"], "outlet_set": set(),
                                                          "articles": 0})
        s["outlet_set"].add(d["outlet"])
        s["articles"] += 1
    ranked = sorted(stories.values(), key=lambda s: (-len(s["outlet_set"]), -s["articles"]))[:n]
    return [{"title": s["title"], "url": s["url"], "outlets": len(s["outlet_set"]), "articles": s["articles"]}
            for s in ranked]


def detail(db, doc_id):
    """The detail panel and the form's initial values for one document."""
    info = document_detail(db, doc_id)
    if not info:
        return notice("문서를 찾을 수 없습니다 (삭제되었을 수 있습니다).", "warn"), {}
    d, label = info["document"], info["label"] or {}
    model = info["classifications"][0] if info["classifications"] else None
    scores = []
    if model:
        for name, value in sorted((model.get("sentiment_scores") or {}).items(), key=lambda kv: -kv[1]):
            scores.append(f"{SENTIMENT_KO.get(name, name)} {value:.2f}")
        topic_scores = sorted((model.get("topic_scores") or {}).items(), key=lambda kv: -kv[1])[:5]
    panel = html.Div(className="panel", id="doc-detail-panel", children=[
        html.H3(html.A(d["title"] or "(제목 없음)", href=d["url"], target="_blank") if is_web_url(d["url"])
                else d["title"] or "(제목 없음)"),
        html.P([f"{d['outlet'] or '-'} · {d['pub_date'] or '날짜 미상'} · 같은 묶음의 기사 {info['cluster_size']}건",
                *_provenance(d)], className="hint"),
        _copies(db, d) if info["cluster_size"] > 1 else None,
        html.P((d["summary"] or d["body"] or "")[:600]),
        html.Table(className="labels", children=[
            html.Tr([html.Th("관련성"), html.Td("관련" if label.get("relevant") else "무관" if label else "미분류"),
                     html.Td(f"모델 점수 {label['relevance_score']:.2f}" if label.get("relevance_score") is not None else "")]),
            html.Tr([html.Th("논조"), html.Td(SENTIMENT_KO.get(label.get("sentiment"), "-")), html.Td(", ".join(scores))]),
            html.Tr([html.Th("주제"), html.Td(", ".join(TOPICS.get(t, t) for t in label.get("topics") or []) or "-"),
                     html.Td(", ".join(f"{TOPICS.get(k, k)} {v:.2f}" for k, v in topic_scores) if model else "")]),
            html.Tr([html.Th("지역"), html.Td(", ".join(label.get("regions") or []) or "-"), html.Td("")]),
            html.Tr([html.Th("모델"), html.Td(label.get("model_version") or "-"),
                     html.Td(ORIGIN_KO.get(label.get("origin"), ""))]),
        ]),
        html.Details([html.Summary(f"사람 수정 기록 {len(info['annotations'])}건"),
                      html.Ul([html.Li(f"{a['created_at']} {a['annotator']}: " + _annotation_text(a))
                               for a in info["annotations"]])]) if info["annotations"] else None,
    ])
    form = {"relevant": label.get("relevant", 1) if label else 1, "sentiment": label.get("sentiment"),
            "topics": label.get("topics") or [], "regions": label.get("regions") or []}
    return panel, form


def _copies(db, doc):
    """The story's other copies, folded: outlet, date, title link, 논조."""
    others = [c for c in story_documents(db, doc["cluster_id"]) if c["id"] != doc["id"]]
    return html.Details(id="doc-copies", children=[
        html.Summary(f"같은 묶음의 다른 기사 {len(others)}건 보기"),
        html.Ul([html.Li([f"{c['pub_date'] or '-'} · {c['outlet'] or '-'} · ",
                          html.A(c["title"] or "(제목 없음)", href=c["url"], target="_blank"),
                          f" · 논조 {SENTIMENT_KO.get(c['sentiment'], '-')}"
                          + (" · 단순 복사본" if c["duplicate_of"] else "")
                          + (" · 무관으로 분류" if c["relevant"] == 0 else "")]) for c in others])])


def basis_badge(basis):
    """' `본문 일부`' / ' `제목만`' after a table title (Markdown), '' for a full article."""
    return f" `{BASIS_KO[basis]}`" if basis in BASIS_KO else ""


def _provenance(d):
    """Badge for a snippet or title-only document, and the file and row an import came from."""
    out = []
    if d.get("text_basis") in BASIS_KO:
        size = f"({len(d['body'] or '')}자)" if d["text_basis"] == "snippet" else ""
        out.append(html.Span(BASIS_KO[d["text_basis"]] + size, className="badge", id="doc-basis", title=BASIS_HINT))
    if d.get("import_file"):
        out.append(f" · {IMPORT_KO.get(d.get('origin_kind'), '가져오기')}: {d['import_file']} {d['import_row']}행")
    return out


def _annotation_text(a):
    parts = []
    if a["relevant"] is not None:
        parts.append("관련" if a["relevant"] else "무관")
    if a["sentiment"]:
        parts.append(SENTIMENT_KO.get(a["sentiment"], a["sentiment"]))
    for key, names in (("topics", TOPICS), ("regions", {})):
        if a[key]:
            parts.append(", ".join(names.get(v, v) for v in json.loads(a[key])))
    if a["note"]:
        parts.append(f"메모: {a['note']}")
    return " / ".join(parts) or "-"


def rows(data, db, ctx, relevance="relevant", sort="published_desc", limit=5000):
    docs = document_page(db, ctx.filters.replace(relevance=relevance or "relevant"),
                         sort=sort or "published_desc", limit=limit)
    return [{"날짜": d["pub_date"], "매체·기관": d["outlet"], "유형": label_names(d)["kind_ko"], "제목": d["title"],
             "링크": d["url"], "논조": label_names(d)["sentiment_ko"], "주제": label_names(d)["topics_ko"],
             "지역": label_names(d)["regions_ko"], "관련도 점수": d["relevance_score"], "본문 범위": BASIS_KO.get(d.get("text_basis"), "전체"), "문서 ID": d["id"],
             "기사 묶음 ID": d["cluster_id"]}
            for d in docs]
