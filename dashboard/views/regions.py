"""지역: the 18 committees side by side on a tile map and bars; a click filters everything;
the chosen (or the five busiest) regions over time, with the policy events."""
import datetime as dt

from dash import html

from dashboard import figures
from dashboard.views.common import EMPTY_STORE, NO_MATCH, change, fmt_int, fmt_pct, notice, graph, table
from vocabulary import REGIONS, NATIONAL

TITLE = "지역"
OUTPUTS = (("rg-notice", "children"), ("rg-map", "figure"), ("rg-bars", "figure"), ("rg-trend", "figure"),
           ("rg-table", "children"))
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
                     graph("rg-trend"),
                     html.Div(id="rg-table")])


def region_rows(data, db, ctx):
    """Per region: this period's and the previous period's counts (all regions, even when filtered)."""
    cur = data.group_totals(db, "region", ctx.filters.replace(regions=None))
    prev = data.group_totals(db, "region", ctx.prev_filters.replace(regions=None))
    out = []
    for region in REGIONS + (NATIONAL,):
        c, p = cur.get(region, {}), prev.get(region, {})
        out.append({"region": region, "articles": c.get("articles", 0), "prev_articles": p.get("articles", 0),
                    "negative_share": c.get("negative_share"), "prev_negative_share": p.get("negative_share"),
                    "negative": c.get("negative", 0)})
    return out


def render(data, db, ctx):
    if ctx.empty_store:
        return {"rg-notice": notice(EMPTY_STORE, "warn"), "rg-map": figures.message(EMPTY_STORE),
                "rg-bars": figures.message(EMPTY_STORE), "rg-trend": figures.message(EMPTY_STORE), "rg-table": None}
    rows_ = region_rows(data, db, ctx)
    if not any(r["articles"] for r in rows_):
        return {"rg-notice": notice(NO_MATCH, "warn"), "rg-map": figures.message(NO_MATCH),
                "rg-bars": figures.message(NO_MATCH), "rg-trend": figures.message(NO_MATCH), "rg-table": None}
    selected = set(ctx.state.get("region") or [])
    return {"rg-notice": None, "rg-map": tile_map(rows_, selected), "rg-bars": bars(rows_, selected),
            "rg-trend": trend(data, db, ctx, rows_),
            "rg-table": table("rg-datatable", [_display(r) for r in rows_],
                              [("지역", "지역"), ("기사 수", "기사 수"), ("이전 기간", "이전 기간"), ("변화", "변화"),
                               ("부정 비율", "부정 비율"), ("부정 비율 변화", "부정 비율 변화")], page_size=19)}


def _display(r):
    return {"지역": r["region"], "기사 수": fmt_int(r["articles"]), "이전 기간": fmt_int(r["prev_articles"]),
            "변화": change(r["articles"], r["prev_articles"]), "부정 비율": fmt_pct(r["negative_share"]),
            "부정 비율 변화": change(r["negative_share"], r["prev_negative_share"], pct_points=True)}


def tile_map(rows_, selected):
    tiles = [r for r in rows_ if r["region"] in TILES]
    shares = [r["negative_share"] * 100 if r["negative_share"] is not None else None for r in tiles]
    known = [s for s in shares if s is not None] or [0, 1]
    trace = {"type": "scatter", "mode": "markers+text", "x": [TILES[r["region"]][0] for r in tiles],
             "y": [TILES[r["region"]][1] for r in tiles], "customdata": [r["region"] for r in tiles],
             "text": [f"<b>{r['region']}</b><br>{r['articles']:,}건" for r in tiles], "textfont": {"size": 12},
             "marker": {"symbol": "square", "size": 54, "color": [s if s is not None else min(known) for s in shares],
                        "colorscale": [[0, "#fff5f0"], [1, "#ef6f5e"]], "cmin": min(known), "cmax": max(known),
                        "colorbar": {"title": {"text": "부정 %"}},
                        "line": {"width": [4 if r["region"] in selected else 1 for r in tiles],
                                 "color": ["#1f4e99" if r["region"] in selected else "#999" for r in tiles]}},
             "hovertemplate": "%{customdata}<br>%{text}<extra></extra>"}
    return figures.figure([trace], "지역 지도: 색 = 부정 비율, 숫자 = 기사 수", 460,
                          xaxis={"visible": False, "range": [-0.7, 4.7]},
                          yaxis={"visible": False, "range": [-0.7, 6.7], "scaleanchor": "x"})


def bars(rows_, selected):
    rows_ = sorted(rows_, key=lambda r: r["articles"])
    names = [r["region"] for r in rows_]
    data = [{"type": "bar", "orientation": "h", "y": names, "x": [r["prev_articles"] for r in rows_],
             "name": "이전 기간", "marker": {"color": "#c9d3e0"}, "customdata": names},
            {"type": "bar", "orientation": "h", "y": names, "x": [r["articles"] for r in rows_], "name": "선택 기간",
             "marker": {"color": ["#1f4e99" if r["region"] in selected else "#4C78A8" for r in rows_]},
             "customdata": names, "text": [fmt_pct(r["negative_share"]) for r in rows_], "textposition": "none",
             "hovertemplate": "%{y}: %{x}건 (부정 %{text})<extra></extra>"}]
    return figures.figure(data, "지역별 보도량 (선택 기간 vs 이전 기간)", 560, barmode="group")


def periods(start, end, by):
    """Every period key from start to end (what store.queries counts by: a day, the Monday of
    a week, the first of a month), so a line drops to 0 instead of bridging a gap."""
    day, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    day = day - dt.timedelta(days=day.weekday()) if by == "week" else day.replace(day=1) if by == "month" else day
    out = []
    while day <= last:
        out.append(day.isoformat())
        day = (day + dt.timedelta(days=7 if by == "week" else 1) if by != "month"
               else (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1))
    return out


def trend(data, db, ctx, rows_):
    """Articles per period for the chosen regions, or the five with most articles."""
    chosen = ctx.state.get("region") or [r["region"] for r in sorted(
        (r for r in rows_ if r["region"] != NATIONAL and r["articles"]), key=lambda r: -r["articles"])[:TREND_TOP]]
    if not chosen:
        return figures.message("지역이 분류된 기사가 없습니다.", "지역별 보도량 추이", 360)
    counts = {(r["period"], r["region"]): r["articles"]
              for r in data.counts(db, ctx.by, "region", ctx.filters.replace(regions=chosen))}
    keys = periods(ctx.start, ctx.end, ctx.by)
    lines = [{"type": "scatter", "mode": "lines+markers", "name": region, "x": keys,
              "y": [counts.get((k, region), 0) for k in keys],
              "hovertemplate": "%{x}<br>" + region + " %{y}건<extra></extra>"} for region in chosen]
    which = "선택한 지역" if ctx.state.get("region") else f"기사가 많은 {len(chosen)}개 지역"
    return figures.figure(lines, f"지역별 보도량 추이 ({figures.PERIOD_KO[ctx.by]}별, {which})", 360,
                          xaxis=figures.time_axis(ctx.by))


def rows(data, db, ctx):
    return [{"지역": r["region"], "기사 수": r["articles"], "이전 기간 기사 수": r["prev_articles"],
             "부정 비율": r["negative_share"], "이전 기간 부정 비율": r["prev_negative_share"]}
            for r in region_rows(data, db, ctx)]
