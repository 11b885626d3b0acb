"""Small building blocks shared by the views: KPI cards, messages, tables, number formats."""
from dash import dash_table, dcc, html

from dashboard.figures import FONT, GRAPH_CONFIG
from store.util import is_web_url
from vocabulary import SENTIMENT_KO, SOURCE_KIND_KO, TOPICS

EMPTY_STORE = "아직 수집된 문서가 없습니다. 수집(python monitor.py crawl)과 분류(classify)를 먼저 실행하세요."
NO_MATCH = "선택한 조건에 맞는 문서가 없습니다. 기간을 넓히거나 필터를 줄여 보세요."
PERIOD_NAMES = {"day": "하루", "week": "한 주", "month": "한 달"}


def one_period(by):
    """The notice for a range that is a single period: no trend to draw."""
    finer = "일별로 보거나 " if by != "day" else ""
    return (f"선택한 기간이 {PERIOD_NAMES[by]}뿐이라 추이 대신 그 기간의 값만 보입니다. "
            f"추이를 보려면 {finer}기간을 넓혀 보세요.")


# File names of the charts' PNG downloads (Plotly toolbar camera), so a saved chart says what it is.
PNG_NAMES = {"ov-volume": "기사수_추이", "ov-critic": "부정비율_추이", "rg-map": "지역별_지도", "rg-bars": "지역별_기사수",
             "rg-trend": "지역별_추이", "tp-lines": "주제별_추이", "tp-sent": "주제별_논조", "tp-keywords": "주요_키워드",
             "src-outlets": "매체별_기사수"}


def graph(id_, height=None):
    config = {**GRAPH_CONFIG, "toImageButtonOptions": {
        **GRAPH_CONFIG["toImageButtonOptions"], "filename": f"자치경찰_모니터_{PNG_NAMES.get(id_, id_)}"}}
    return dcc.Loading(dcc.Graph(id=id_, config=config, style={"height": height} if height else None),
                       type="dot")


def notice(text, kind="info"):
    return html.Div(text, className=f"notice notice-{kind}", role="status") if text else None


def fmt_int(n, unit=""):
    return "-" if n is None else f"{n:,}{unit}"


def fmt_pct(x, digits=1):
    return "-" if x is None else f"{x * 100:.{digits}f}%"


def change(cur, prev, pct_points=False, against=None):
    """'▲ 12%' style change vs the comparison period (percentage points for shares);
    against='직전 28일' names that period: '직전 28일 대비 ▲ 12%'."""
    named = f"{against} 대비 " if against else ""
    if cur is None or prev is None:
        return f"{named}비교 불가"
    if pct_points:
        diff = (cur - prev) * 100
        arrow = "▲" if diff > 0 else "▼" if diff < 0 else "―"
        return f"{named}{arrow} {abs(diff):.1f}%p"
    if not prev:
        return (f"{against} 0건" if against else "이전 기간 0건") if cur else f"{named}변화 없음"
    diff = (cur - prev) / prev * 100
    arrow = "▲" if diff > 0 else "▼" if diff < 0 else "―"
    return f"{named}{arrow} {abs(diff):.0f}%"


def kpi(label, value, delta, id_=None, hint=None):
    return html.Div([html.Div(label, className="kpi-label"), html.Div(value, className="kpi-value"),
                     html.Div(delta, className="kpi-delta"), html.Div(hint, className="kpi-hint") if hint else None],
                    className="kpi", **({"id": id_} if id_ else {}))


def table(id_, rows, columns, page_size=15, **kw):
    """A plain DataTable; columns = [(id, Korean name)] (markdown for links)."""
    return dash_table.DataTable(
        id=id_, data=rows, page_size=page_size, sort_action="native",
        columns=[{"id": c, "name": n, **({"presentation": "markdown"} if c in ("title_link",) else {})}
                 for c, n in columns],
        style_cell={"fontFamily": FONT, "fontSize": 14, "textAlign": "left", "padding": "6px",
                    "whiteSpace": "normal", "height": "auto", "maxWidth": 520},
        style_header={"fontWeight": "bold", "backgroundColor": "#f3f5f8"},
        markdown_options={"link_target": kw.pop("link_target", "_blank")}, **kw)


def link(title, url):
    title = (title or "(제목 없음)").replace("[", "(").replace("]", ")")
    return f"[{title}]({url})" if is_web_url(url) else title  # http(s) only: never javascript:/data:


def label_names(row):
    """Korean display values for a document row from store.queries.search_documents."""
    return {"sentiment_ko": SENTIMENT_KO.get(row.get("sentiment"), "-"),
            "kind_ko": SOURCE_KIND_KO.get(row.get("kind"), row.get("kind") or "-"),
            "topics_ko": ", ".join(TOPICS.get(t, t) for t in row.get("topics") or []),
            "regions_ko": ", ".join(row.get("regions") or [])}
