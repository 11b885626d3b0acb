"""주제: topic volume over time, topic × sentiment, rising topics, the period's distinctive terms."""
from dash import html

from dashboard import figures
from dashboard.views.common import EMPTY_STORE, NO_MATCH, change, fmt_int, fmt_pct, graph, notice, table
from vocabulary import SENTIMENTS, TOPICS
from store.queries import QueryError

TITLE = "주제"
OUTPUTS = (("tp-notice", "children"), ("tp-lines", "figure"), ("tp-sent", "figure"), ("tp-rising", "children"))
KEYWORD_OUTPUTS = (("tp-keywords", "figure"),)  # own callback: the term counts are the slow part
KEYWORD_TERMS = 20


def layout():
    return html.Div([html.Div(id="tp-notice"), graph("tp-lines"),
                     html.Div([html.Div(graph("tp-sent"), className="half"),
                               html.Div(graph("tp-keywords"), className="half")], className="row"),
                     html.H3("떠오르는 주제 (이전 기간 대비)"), html.Div(id="tp-rising")])


def topic_rows(data, db, ctx):
    cur = data.group_totals(db, "topic", ctx.filters)
    prev = data.group_totals(db, "topic", ctx.prev_filters)
    out = []
    for topic, label in TOPICS.items():
        c, p = cur.get(topic), prev.get(topic, {})
        if c:
            out.append({**c, "label": label, "prev_articles": p.get("articles", 0),
                        "growth": (c["articles"] - p.get("articles", 0)) / max(p.get("articles", 0), 1)})
    return out


def render(data, db, ctx):
    if ctx.empty_store:
        msg = figures.message(EMPTY_STORE)
        return {"tp-notice": notice(EMPTY_STORE, "warn"), "tp-lines": msg, "tp-sent": msg, "tp-rising": None}
    rows_ = topic_rows(data, db, ctx)
    if not rows_:
        msg = figures.message(NO_MATCH)
        return {"tp-notice": notice(NO_MATCH, "warn"), "tp-lines": msg, "tp-sent": msg, "tp-rising": None}
    lines = data.counts(db, ctx.by, "topic", ctx.filters)
    rising = sorted(rows_, key=lambda r: (r["growth"], r["articles"]), reverse=True)
    return {"tp-notice": None, "tp-lines": figures.topic_lines(lines, ctx.by),
            "tp-sent": figures.sentiment_bars(rows_, "topic", TOPICS, "주제별 감성", 420),
            "tp-rising": table("tp-rising-table", [{
                "주제": r["label"], "기사 수": fmt_int(r["articles"]), "이전 기간": fmt_int(r["prev_articles"]),
                "변화": change(r["articles"], r["prev_articles"]), "부정 비율": fmt_pct(r["negative_share"])}
                for r in rising], [(c, c) for c in ("주제", "기사 수", "이전 기간", "변화", "부정 비율")], page_size=11)}


def render_keywords(data, db, ctx):
    """The period's most distinctive terms (weighted log-odds z, analysis/keywords.py) over
    every document the filters match: against the previous period of equal length, or, when
    some sentiments are chosen, against the other sentiments of the same period (what marks
    critical coverage)."""
    from analysis.keywords import distinctive_terms
    if ctx.empty_store:
        return {"tp-keywords": figures.message(EMPTY_STORE, "두드러진 단어")}
    try:
        by_sentiment = bool(ctx.filters.sentiments) and len(ctx.filters.sentiments) < len(SENTIMENTS)
        result = distinctive_terms(db, ctx.filters, "others" if by_sentiment else "previous", n=KEYWORD_TERMS)
    except QueryError as exc:
        return {"tp-keywords": figures.message(str(exc), "두드러진 단어")}
    return {"tp-keywords": _keywords_figure(result)}


def _keywords_figure(result):
    waiting = f" · 분석 대기 {result['unanalysed']:,}건" if result["unanalysed"] else ""
    words = [t for t in result["terms"] if t["z"] > 0][::-1]
    other = "이전 기간" if result["reference"] == "previous" else "다른 논조"
    if not words:
        return figures.message(f"{other}보다 두드러진 단어가 없습니다." + waiting, "두드러진 단어")
    title = (f"두드러진 단어 (기사 {result['target']['documents']:,}건, "
             f"{other} {result['reference_set']['documents']:,}건 대비 z점수){waiting}")
    hover = [f"{t['term']}: 이번 {t['documents']:,}건 · {other} {t['reference_documents']:,}건 · z {t['z']:.1f}"
             for t in words]
    return figures.hbar([t["term"] for t in words], [t["z"] for t in words], title, hover="%{customdata}",
                        customdata=hover)


def rows(data, db, ctx):
    return [{"주제": r["label"], "기사 수": r["articles"], "이전 기간 기사 수": r["prev_articles"],
             "부정": r["negative"], "중립": r["neutral"], "긍정": r["positive"], "부정 비율": r["negative_share"]}
            for r in topic_rows(data, db, ctx)]
