"""Plotly figures (plain dicts: no per-call validation, so callbacks stay fast on big
stores) with Korean labels, and the 'nothing to show' placeholder figure.

Time series come zero-filled (store.periods.fill: one row per period of the range, with
`partial` for a week or month cut by the range). The x axis lists the periods as
categories labelled by store.periods.label (Monday-based weeks '11/17~23'); partial periods
are drawn lighter and hatched, starred on the axis and explained in a note. Count axes start
at 0 with whole-number ticks.
"""
import math

from store.periods import days_in_period, label, long_label, period_length, period_start
from vocabulary import SENTIMENT_KO, SOURCE_KIND_KO, TOPICS

FONT = "Noto Sans CJK KR, Noto Sans KR, Malgun Gothic, Apple SD Gothic Neo, sans-serif"
KIND_COLORS = {"news": "#4C78A8", "civic": "#F58518", "committee": "#54A24B", "government": "#B279A2"}
SENT_COLORS = {"negative": "#E45756", "neutral": "#BAB0AC", "positive": "#4C9F70"}
PERIOD_KO = {"day": "일", "week": "주", "month": "월"}
AXIS_TITLE = {"day": None, "week": "주 (월요일~일요일)", "month": None}  # dates and months say what they are
MAX_LABELS = {"day": 14, "week": 9, "month": 12}
PARTIAL_OPACITY = 0.45
SPIKE_COLOR = "#D62728"
# Plotly toolbar: PNG download of each chart; no Plotly logo and no "share chart" button,
# which would send the data to an outside chart service.
GRAPH_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2},
                "showSendToCloud": False, "showEditInChartStudio": False,
                "modeBarButtonsToRemove": ["lasso2d", "select2d", "sendDataToCloud"]}


def figure(data, title=None, height=320, **layout):
    """A figure dict with the shared look."""
    base = {"title": {"text": title, "x": 0.01, "xanchor": "left"} if title else None, "height": height,
            "font": {"family": FONT, "size": 13},
            "margin": {"l": 60, "r": 20, "t": 60 if title else 20, "b": 40}, "plot_bgcolor": "white",
            "paper_bgcolor": "white", "legend": {"orientation": "h", "y": -0.3, "yanchor": "top"},
            "hoverlabel": {"font": {"family": FONT}}, "hovermode": "closest",
            "xaxis": {"gridcolor": "#eee"}, "yaxis": {"gridcolor": "#eee"}}
    for key, value in layout.items():
        base[key] = {**base[key], **value} if isinstance(base.get(key), dict) else value
    return {"data": data, "layout": base}


def message(text, title=None, height=320):
    """An empty chart that says why it is empty (no bare axes)."""
    return figure([], title, height, xaxis={"visible": False}, yaxis={"visible": False},
                  annotations=[{"text": text, "showarrow": False, "font": {"size": 16, "color": "#666"},
                                "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}])


def nice_step(top, ticks=5):
    """A whole-number tick step (1, 2, 5 × 10^n) giving about `ticks` ticks up to `top`."""
    if top <= ticks:
        return 1
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    return int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))


def count_axis(values, title="기사 수 (건)"):
    """A y axis for counts: from 0, whole-number ticks, titled with its unit."""
    top = max([v for v in values if v is not None] or [0])
    return {"range": [0, max(top, 1) * 1.12], "tick0": 0, "dtick": nice_step(top), "tickformat": ",d",
            "title": {"text": title}, "gridcolor": "#eee", "zeroline": True, "zerolinecolor": "#999"}


def period_axis(by, periods, partial=(), labels=None):
    """A category x axis over every period, at most MAX_LABELS[by] labels, '*' on partial ones."""
    step = max(1, math.ceil(len(periods) / (labels or MAX_LABELS[by])))
    ticks = periods[::step]
    return {"type": "category", "categoryorder": "array", "categoryarray": periods, "tickvals": ticks,
            "ticktext": [label(by, p) + ("*" if p in partial else "") for p in ticks],
            "title": {"text": AXIS_TITLE[by]} if AXIS_TITLE[by] else None, "gridcolor": "#eee"}


def time_axis(by):
    """A date x axis, for charts whose points fall on any day (search interest with survey dates)."""
    return {"type": "date", "tickformat": {"day": "%m/%d", "week": "%m/%d", "month": "%Y년 %m월"}[by],
            "hoverformat": "%Y-%m-%d", "gridcolor": "#eee"}


def partial_note(by, rows, date_from, date_to):
    """'* 기간 일부만 포함: 11/17~23 (7일 중 3일)' for the periods cut by the range, or None."""
    cut = [r["period"] for r in rows if r.get("partial")]
    if not cut:
        return None
    parts = [f"{label(by, p)} ({period_length(by, p)}일 중 {days_in_period(by, p, date_from, date_to)}일)"
             for p in dict.fromkeys(cut)]
    return "* 옅은 빗금: 선택 기간에 일부만 포함된 " + PERIOD_KO[by] + " — " + ", ".join(parts)


def _note(text, yshift=0):
    """A grey line of text just above the plot area (`yshift` pixels higher)."""
    return [{"text": text, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0, "y": 1.0, "yshift": yshift,
             "xanchor": "left", "yanchor": "bottom", "font": {"size": 12, "color": "#666"}}] if text else []


def _partial_style(rows):
    """Per-bar marker settings: partial periods lighter and hatched."""
    partial = [bool(r.get("partial")) for r in rows]
    return {"opacity": [PARTIAL_OPACITY if p else 1 for p in partial],
            "pattern": {"shape": ["/" if p else "" for p in partial], "solidity": 0.3}}


def _hover_periods(by, rows):
    return [long_label(by, r["period"]) + (" · 일부 기간" if r.get("partial") else "") for r in rows]


def volume_by_kind(kind_rows, story_rows, by, spikes=(), extra=(), note=None):
    """The overview timeline: stacked bars of articles by source kind, a line of stories,
    one spike marker per period, then any `extra` traces (e.g. other overlays)."""
    periods = [r["period"] for r in story_rows]
    data = []
    for kind, name in SOURCE_KIND_KO.items():
        pts = [r for r in kind_rows if r["source_kind"] == kind]
        if any(r["articles"] for r in pts):
            data.append({"type": "bar", "x": [r["period"] for r in pts], "y": [r["articles"] for r in pts],
                         "name": f"{name} 기사 수", "customdata": _hover_periods(by, pts),
                         "marker": {"color": KIND_COLORS[kind], **_partial_style(pts)},
                         "hovertemplate": "%{customdata}<br>" + name + " %{y:,d}건<extra></extra>"})
    data.append({"type": "scatter", "x": periods, "y": [r["stories"] for r in story_rows],
                 "name": "기사 묶음 수", "mode": "lines+markers", "line": {"color": "#333", "width": 2},
                 "marker": {"size": 6, "symbol": ["circle-open" if r.get("partial") else "circle" for r in story_rows]},
                 "customdata": _hover_periods(by, story_rows),
                 "hovertemplate": "%{customdata}<br>기사 묶음 %{y:,d}건<extra></extra>"})
    totals = [r["articles"] for r in story_rows]
    data += spike_marks(spikes, by, max(totals + [1]) * 1.05) + list(extra)
    partial = {r["period"] for r in story_rows if r.get("partial")}
    return figure(data, f"보도량 ({PERIOD_KO[by]}별): 기사 수와 기사 묶음 수", 400, barmode="stack",
                  xaxis=period_axis(by, periods, partial), yaxis=count_axis(totals), margin={"b": 100},
                  annotations=_note(note))


def spike_marks(spikes, by, y):
    """One ▼ per period holding spikes (each spike a dict with 'day' and Korean 'text');
    customdata: [first day, last day] of its spikes, for the click-through."""
    if not spikes:
        return []
    periods = {}
    for s in sorted(spikes, key=lambda s: s["day"]):
        periods.setdefault(period_start(by, s["day"]).isoformat(), []).append(s)
    x = list(periods)
    texts = ["<br>".join(f"{s['day'][5:].replace('-', '/')} {s['text']}" for s in group)
             for group in periods.values()]
    return [{"type": "scatter", "x": x, "y": [y] * len(x), "mode": "markers", "name": "급증 감지 (누르면 기사 보기)",
             "marker": {"symbol": "triangle-down", "size": 15, "color": SPIKE_COLOR},
             "customdata": [[g[0]["day"], g[-1]["day"]] for g in periods.values()], "text": texts,
             "hovertemplate": "<b>급증 감지</b> (누르면 그날 기사)<br>%{text}<extra></extra>"}]


def _pct(value):
    return None if value is None else value * 100


def _segments(xs, values):
    """Runs of consecutive periods with a value (a band is not drawn across an empty period)."""
    runs, run = [], []
    for x, v in zip(xs, values):
        if v is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append((x, v))
    return runs + ([run] if run else [])


def criticism(rows, by, spikes=(), note=None):
    """Negative share with its 95% Wilson band, and net sentiment (논조 지수)."""
    x = [r["period"] for r in rows]
    band_x, band_y = [], []
    for run in _segments(x, [r["ci"] if r["ci"][0] is not None else None for r in rows]):
        xs = [p for p, _ in run]
        band_x += xs + xs[::-1] + [None]
        band_y += [_pct(ci[1]) for _, ci in run] + [_pct(ci[0]) for _, ci in run][::-1] + [None]
    hover = _hover_periods(by, rows)
    labelled = [r["negative"] + r["neutral"] + r["positive"] for r in rows]
    open_marker = ["circle-open" if r.get("partial") else "circle" for r in rows]
    data = [
        {"type": "scatter", "mode": "lines", "x": band_x, "y": band_y, "fill": "toself",
         "fillcolor": "rgba(228,87,86,0.18)", "line": {"width": 0}, "name": "부정 비율 95% 신뢰구간",
         "hoverinfo": "skip"},
        {"type": "scatter", "x": x, "y": [_pct(r["negative_share"]) for r in rows], "name": "부정 비율 (%)",
         "mode": "lines+markers", "line": {"color": SENT_COLORS["negative"], "width": 2},
         "marker": {"size": 6, "symbol": open_marker}, "customdata": [[h, n] for h, n in zip(hover, labelled)],
         "hovertemplate": "%{customdata[0]}<br>부정 %{y:.1f}% (논조 분류 %{customdata[1]:,d}건)<extra></extra>"},
        {"type": "scatter", "x": x, "y": [_pct(r["net_sentiment"]) for r in rows], "name": "논조 지수 (긍정−부정, %p)",
         "mode": "lines+markers", "line": {"color": "#4C78A8", "dash": "dot"},
         "marker": {"size": 5, "symbol": open_marker}, "customdata": hover,
         "hovertemplate": "%{customdata}<br>논조 지수 %{y:+.1f}%p<extra></extra>"},
    ]
    values = [v for v in band_y + data[1]["y"] + data[2]["y"] if v is not None] or [0]
    low, high = min(min(values), 0), max(max(values), 10)
    data += spike_marks(spikes, by, high + 5)
    partial = {r["period"] for r in rows if r.get("partial")}
    return figure(data, f"비판 추이 ({PERIOD_KO[by]}별): 부정 비율과 논조 지수", 380, xaxis=period_axis(by, x, partial),
                  yaxis={"range": [low - 5, high + 10], "ticksuffix": "%", "title": {"text": "비율 (%, %p)"},
                         "gridcolor": "#eee", "zeroline": True, "zerolinecolor": "#999"},
                  margin={"b": 100}, annotations=_note(note))


def sentiment_bars(rows, key, labels, title, height=360):
    """Horizontal stacked bars of sentiment counts per group (topic × sentiment etc.)."""
    rows = sorted(rows, key=lambda r: r["articles"])
    names = [labels.get(r[key], r[key]) or "(미상)" for r in rows]
    data = [{"type": "bar", "orientation": "h", "y": names, "x": [r[s] for r in rows], "name": SENTIMENT_KO[s],
             "marker": {"color": SENT_COLORS[s]}, "hovertemplate": "%{y}<br>" + SENTIMENT_KO[s] + " %{x:,d}건<extra></extra>"}
            for s in ("negative", "neutral", "positive")]
    axis = count_axis([r["articles"] for r in rows])
    return figure(data, title, height, barmode="stack", margin={"l": 190}, xaxis=axis,
                  yaxis={"automargin": True})


def hbar(labels, values, title, height=420, color="#72B7B2", hover="%{y}: %{x:,d}건", unit="기사 수 (건)",
         customdata=None):
    bar = {"type": "bar", "orientation": "h", "y": labels, "x": values, "marker": {"color": color},
           "hovertemplate": hover + "<extra></extra>"}
    return figure([{**bar, "customdata": customdata} if customdata else bar], title, height, margin={"l": 110},
                  xaxis=count_axis(values, unit), yaxis={"automargin": True})


LINE_COLORS = ("#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2", "#FF9DA6", "#9D755D")


def group_lines(rows, by, key, values, title, note=None):
    """One line with markers per value of `key` (a few regions), over every period of the
    zero-filled `rows`; partial periods as open markers, starred on the axis."""
    periods = list(dict.fromkeys(r["period"] for r in rows))
    partial = {r["period"] for r in rows if r.get("partial")}
    data = []
    for i, value in enumerate(values):
        pts = [r for r in rows if r[key] == value]
        data.append({"type": "scatter", "mode": "lines+markers", "name": value, "x": [r["period"] for r in pts],
                     "y": [r["articles"] for r in pts], "line": {"color": LINE_COLORS[i % len(LINE_COLORS)]},
                     "marker": {"size": 6, "symbol": ["circle-open" if r.get("partial") else "circle" for r in pts]},
                     "customdata": _hover_periods(by, pts),
                     "hovertemplate": "%{customdata}<br>" + value + " %{y:,d}건<extra></extra>"})
    return figure(data, title, 360, xaxis=period_axis(by, periods, partial),
                  yaxis=count_axis([r["articles"] for r in rows]), annotations=_note(note))


TOPIC_COLUMNS = 3


def topic_lines(rows, by, note=None):
    """Small multiples: one panel per topic (all 11, same scale), every period with a marker."""
    topics = list(TOPICS.items())
    periods = list(dict.fromkeys(r["period"] for r in rows))
    partial = {r["period"] for r in rows if r.get("partial")}
    top = max([r["articles"] for r in rows] + [0])
    n_rows = math.ceil(len(topics) / TOPIC_COLUMNS)
    data, layout, notes = [], {}, _note(note, yshift=24)
    for i, (topic, name) in enumerate(topics, 1):
        pts = [r for r in rows if r["topic"] == topic]
        data.append({"type": "scatter", "mode": "lines+markers", "x": [r["period"] for r in pts],
                     "y": [r["articles"] for r in pts], "name": name, "xaxis": f"x{i}", "yaxis": f"y{i}",
                     "showlegend": False, "line": {"color": "#4C78A8", "width": 2},
                     "marker": {"size": 5, "symbol": ["circle-open" if r.get("partial") else "circle" for r in pts]},
                     "customdata": _hover_periods(by, pts),
                     "hovertemplate": "%{customdata}<br>" + name + " %{y:,d}건<extra></extra>"})
        suffix = "" if i == 1 else str(i)
        layout[f"xaxis{suffix}"] = {**period_axis(by, periods, partial, labels=4), "title": None,
                                   "tickfont": {"size": 10}}
        layout[f"yaxis{suffix}"] = {**count_axis([top], None), "tickfont": {"size": 10}}
        notes.append({"text": f"<b>{name}</b> {sum(r['articles'] for r in pts):,}건", "showarrow": False,
                      "xref": f"x{suffix} domain", "yref": f"y{suffix} domain", "x": 0, "y": 1.0,
                      "xanchor": "left", "yanchor": "bottom", "font": {"size": 12}})
    return figure(data, f"주제별 기사 수 ({PERIOD_KO[by]}별, 11개 주제, 같은 눈금 · 단위: 건)", 130 + 170 * n_rows,
                  grid={"rows": n_rows, "columns": TOPIC_COLUMNS, "pattern": "independent", "ygap": 0.45,
                        "xgap": 0.08},
                  margin={"l": 50, "r": 20, "t": 90, "b": 40}, annotations=notes, **layout)


def share_lines(series, by, periods, title, note=None):
    """Share-of-collection lines (store/listings.py): `series` is [(name, rows, dashed)], rows
    keyed by period with listed, listed_articles, listed_stories and a `share`. A period with
    nothing listed is a gap (no denominator), never 0 %; the hover gives the counts behind it."""
    data = []
    for i, (name, rows, dashed) in enumerate(series):
        by_period = {r["period"]: r for r in rows}
        pts = [by_period.get(p) for p in periods]
        data.append({"type": "scatter", "mode": "lines+markers", "name": name, "x": periods, "connectgaps": False,
                     "y": [None if r is None or r["share"] is None else round(100 * r["share"], 2) for r in pts],
                     "line": {"color": "#333" if dashed else LINE_COLORS[i % len(LINE_COLORS)],
                              "dash": "dash" if dashed else "solid", "width": 3 if i == 0 else 2},
                     "marker": {"size": 5},
                     "customdata": [[long_label(by, p), r["listed_articles"] if r else 0,
                                     r["listed_stories"] if r else 0, r["listed"] if r else 0]
                                    for p, r in zip(periods, pts)],
                     "hovertemplate": "%{customdata[0]}<br>" + name + " %{y:.1f}%<br>관련 기사 %{customdata[1]:,d}건 · "
                                      "스토리 %{customdata[2]:,d}건 / 수집 목록 %{customdata[3]:,d}건<extra></extra>"})
    return figure(data, title, 380, xaxis=period_axis(by, periods),
                  yaxis={"rangemode": "tozero", "ticksuffix": "%", "title": {"text": "수집 목록 대비 비율 (%)"},
                         "gridcolor": "#eee", "zeroline": True, "zerolinecolor": "#999"},
                  annotations=_note(note))


def share_bars(rows, key, title, note=None):
    """Horizontal bars of `article_share` (%) per `key` value over the whole period, the counts
    behind each on hover; `rows` carry listed and listed_articles (store/listings.py)."""
    bar = {"type": "bar", "orientation": "h", "y": [r[key] for r in rows],
           "x": [round(100 * r["listed_articles"] / r["listed"], 2) for r in rows], "marker": {"color": "#4C78A8"},
           "customdata": [[r["listed_articles"], r["listed"]] for r in rows],
           "hovertemplate": "%{y} %{x:.1f}%<br>관련 기사 %{customdata[0]:,d}건 / 수집 목록 %{customdata[1]:,d}건<extra></extra>"}
    return figure([bar], title, max(300, 120 + 24 * len(rows)), margin={"l": 110, "t": 80},  # a label per bar
                  xaxis={"rangemode": "tozero", "ticksuffix": "%", "title": {"text": "수집 목록 대비 비율 (%)"},
                         "gridcolor": "#eee"},
                  yaxis={"automargin": True, "autorange": "reversed"}, annotations=_note(note))
