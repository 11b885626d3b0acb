"""지역: the 18 committees side by side on a tile map and bars; a click filters everything;
the chosen (or the five busiest) regions over time, with the policy events."""

from dash import html

from dashboard import figures
from dashboard.views.common import EMPTY_STORE, NO_MATCH, change, fmt_int, fmt_pct, notice, graph, table
from dashboard.views.sources import NO_DENOMINATOR, SHARE_NOTE
from store.listings import last_listed, period_shares
from vocabulary import REGIONS, NATIONAL

TITLE = "지역"
OUTPUTS = (("rg-notice", "children"), ("rg-map", "figure"), ("rg-bars", "figure"), ("rg-trend", "figure"),
           ("rg-table", "children"), ("rg-share", "figure"))
TREND_TOP = 5  # regions drawn over time when none is chosen
# Tile positions (column, row from the bottom), roughly where each area lies.
TILES = {"경기북부": (1, 6), "강원": (2, 6), "인천": (0, 5), "서울": (1, 5), "경기남부": (2, 5),
         "충남": (0, 4), "세종": (1, 4), "충북": (2, 4), "경북": (3, 4), "전북": (0, 3), "대전": (1, 3),
         "대구": (3, 3), "울산": (4, 3), "광주": (0, 2), "전남": (1, 2), "경남": (2, 2), "부산": (3, 2),
         "제주": (0, 0)}


def layout():
    return html.Div([html.Div(id="rg-notice"),
                     html.P("지도나 막대를 누르면 그 지역으로 전체 화면이 걸러집니다. 다시 누르면 해제됩니다.",
                            className="hint"),
                     html.Div([html.Div(graph("rg-map"), className="half"), html.Div(graph("rg-bars"), className="half")],
                              className="row"),
                     graph("rg-trend"), graph("rg-share"),
                     html.Div(id="rg-table")])


def share_chart(data, db, ctx):
    """Each region's relevant articles per item the sources listed in the whole period (%)."""
    key = ("attention", last_listed(db), "region", repr(ctx.filters))
    rows = data.live.get(db, key, lambda: period_shares(db, "region", ctx.filters.replace(regions=None)))
    if not rows:
        return figures.message(NO_DENOMINATOR, "지역별 수집 목록 대비 관련 기사 비율 (%)")
    return figures.share_bars(rows, "region", "지역별 수집 목록 대비 관련 기사 비율 (선택 기간, 단위: %)", SHARE_NOTE)


def region_rows(data, db, ctx):
    """Per region: this period's and the previous period's counts (all regions, even when filtered)."""
    cur = data.group_totals(db, "region", ctx.filters.replace(regions=None))
    prev = data.group_totals(db, "region", ctx.prev_filters.replace(regions=None))
    out = []
    for region in REGIONS + (NATIONAL,):
        c, p = cur.get(region, {}), prev.get(region, {})
        out.append({"region": region, "articles": c.get("articles", 0), "prev_articles": p.get("articles", 0),
                    "negative_share": c.get("negative_share"), "prev_negative_share": p.get("negative_share"),
                    "negative": c.get("negative", 0),
                    "labelled": c.get("negative", 0) + c.get("neutral", 0) + c.get("positive", 0)})
    return out


def render(data, db, ctx):
    if ctx.empty_store:
        return {"rg-notice": notice(EMPTY_STORE, "warn"), "rg-map": figures.message(EMPTY_STORE),
                "rg-bars": figures.message(EMPTY_STORE), "rg-trend": figures.message(EMPTY_STORE), "rg-table": None,
                "rg-share": figures.message(EMPTY_STORE)}
    rows_ = region_rows(data, db, ctx)
    if not any(r["articles"] for r in rows_):
        return {"rg-notice": notice(NO_MATCH, "warn"), "rg-map": figures.message(NO_MATCH),
                "rg-bars": figures.message(NO_MATCH), "rg-trend": figures.message(NO_MATCH), "rg-table": None,
                "rg-share": figures.message(NO_MATCH)}
    selected = set(ctx.state.get("region") or [])
    return {"rg-notice": None, "rg-map": tile_map(rows_, selected), "rg-bars": bars(rows_, selected, ctx.cmp_label),
            "rg-trend": trend(data, db, ctx, rows_), "rg-share": share_chart(data, db, ctx),
            "rg-table": table("rg-datatable", [_display(r) for r in rows_],
                              [("지역", "지역"), ("기사 수", "기사 수"), ("이전 기간", ctx.cmp_label), ("변화", "변화"),
                               ("부정 비율", "부정 비율 (n)"), ("부정 비율 변화", "부정 비율 변화")], page_size=19)}


def _display(r):
    return {"지역": r["region"], "기사 수": fmt_int(r["articles"], "건"), "이전 기간": fmt_int(r["prev_articles"], "건"),
            "변화": change(r["articles"], r["prev_articles"]),
            "부정 비율": fmt_pct(r["negative_share"]) + (f" (n={r['labelled']})" if r["labelled"] else ""),
            "부정 비율 변화": change(r["negative_share"], r["prev_negative_share"], pct_points=True)}


SMALL_SAMPLE = 5  # a negative share of fewer articles is shown, but marked as unreliable
NO_DATA_GREY = "#d9d9d9"


def tile_map(rows_, selected):
    """Tiles coloured by negative share on a fixed 0–100 % scale (the same colour means the
    same share in every view); no articles: grey; fewer than 5 with a sentiment: faded and
    marked."""
    tiles = [r for r in rows_ if r["region"] in TILES]
    groups = {"data": [r for r in tiles if r["labelled"] >= SMALL_SAMPLE],
              "small": [r for r in tiles if 0 < r["labelled"] < SMALL_SAMPLE],
              "none": [r for r in tiles if not r["labelled"]]}
    data = []
    for name, members in groups.items():
        if not members:
            continue
        line = {"width": [4 if r["region"] in selected else 1 for r in members],
                "color": ["#1f4e99" if r["region"] in selected else "#999" for r in members]}
        marker = {"symbol": "square", "size": 54, "line": line}
        if name == "none":
            marker["color"] = NO_DATA_GREY
            text = [f"<b>{r['region']}</b><br>자료 없음" for r in members]
        else:
            marker.update(color=[r["negative_share"] * 100 for r in members], cmin=0, cmax=100,
                          colorscale=[[0, "#fff5f0"], [1, "#cb181d"]], opacity=1 if name == "data" else 0.55,
                          colorbar={"title": {"text": "부정 비율 (%)"}, "tickvals": [0, 25, 50, 75, 100],
                                    "ticksuffix": "%"}, showscale=name == "data" or not groups["data"])
            text = [f"<b>{r['region']}</b><br>{r['articles']:,}건" + ("<br>n<5" if name == "small" else "")
                    for r in members]
        hover = [f"{r['region']}: 기사 {r['articles']:,}건, 부정 비율 {fmt_pct(r['negative_share'])}"
                 f" (논조 분류 {r['labelled']}건)" + (" — 표본이 적어 불안정" if name == "small" else "")
                 for r in members]
        data.append({"type": "scatter", "mode": "markers+text", "name": {"data": "부정 비율", "small": "표본 5건 미만",
                                                                         "none": "자료 없음"}[name],
                     "x": [TILES[r["region"]][0] for r in members], "y": [TILES[r["region"]][1] for r in members],
                     "customdata": [r["region"] for r in members], "text": text, "textfont": {"size": 12},
                     "marker": marker, "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>"})
    return figures.figure(data, "지역 지도: 색 = 부정 비율 (0~100% 고정), 숫자 = 기사 수", 480, showlegend=True,
                          legend={"orientation": "h", "y": -0.02},
                          xaxis={"visible": False, "range": [-0.7, 4.7]},
                          yaxis={"visible": False, "range": [-0.7, 6.7], "scaleanchor": "x"})


def bars(rows_, selected, against="이전 기간"):
    rows_ = sorted(rows_, key=lambda r: r["articles"])
    names = [r["region"] for r in rows_]
    data = [{"type": "bar", "orientation": "h", "y": names, "x": [r["prev_articles"] for r in rows_],
             "name": against, "marker": {"color": "#c9d3e0"}, "customdata": names,
             "hovertemplate": "%{y}: %{x:,d}건 (" + against + ")<extra></extra>"},
            {"type": "bar", "orientation": "h", "y": names, "x": [r["articles"] for r in rows_], "name": "선택 기간",
             "marker": {"color": ["#1f4e99" if r["region"] in selected else "#4C78A8" for r in rows_]},
             "customdata": names, "text": [fmt_pct(r["negative_share"]) for r in rows_], "textposition": "none",
             "hovertemplate": "%{y}: %{x:,d}건 (부정 %{text})<extra></extra>"}]
    return figures.figure(data, f"지역별 기사 수 (선택 기간 vs {against})", 560, barmode="group",
                          xaxis=figures.count_axis([max(r["articles"], r["prev_articles"]) for r in rows_]),
                          yaxis={"automargin": True})


def trend(data, db, ctx, rows_):
    """Articles per period for the chosen regions, or the five with most articles: every
    period of the range drawn (zeros included), partial periods marked as on the other charts."""
    chosen = ctx.state.get("region") or [r["region"] for r in sorted(
        (r for r in rows_ if r["region"] != NATIONAL and r["articles"]), key=lambda r: -r["articles"])[:TREND_TOP]]
    if not chosen:
        return figures.message("지역이 분류된 기사가 없습니다.", "지역별 기사 수 추이", 360)
    # counted by region over all regions (what the rollups answer; a region's row is the same
    # with or without a region filter), then only the chosen regions kept
    series = data.series(db, ctx.by, "region", ctx.filters.replace(regions=None), chosen, stories=False)
    which = "선택한 지역" if ctx.state.get("region") else f"기사가 많은 {len(chosen)}개 지역"
    return figures.group_lines(series, ctx.by, "region", chosen,
                               f"지역별 기사 수 추이 ({figures.PERIOD_KO[ctx.by]}별, {which})",
                               figures.partial_note(ctx.by, series, ctx.start, ctx.end))


def rows(data, db, ctx):
    return [{"지역": r["region"], "기사 수": r["articles"], "이전 기간 기사 수": r["prev_articles"],
             "부정 비율": r["negative_share"], "이전 기간 부정 비율": r["prev_negative_share"]}
            for r in region_rows(data, db, ctx)]
