"""Plotly figures (plain dicts: no per-call validation, so callbacks stay fast on big
stores) with Korean labels, and the 'nothing to show' placeholder figure."""
from vocabulary import SENTIMENT_KO, SOURCE_KIND_KO, TOPICS

FONT = "Noto Sans CJK KR, Noto Sans KR, Malgun Gothic, Apple SD Gothic Neo, sans-serif"
KIND_COLORS = {"news": "#4C78A8", "civic": "#F58518", "committee": "#54A24B", "government": "#B279A2"}
SENT_COLORS = {"negative": "#E45756", "neutral": "#BAB0AC", "positive": "#4C9F70"}
PERIOD_KO = {"day": "일", "week": "주", "month": "월"}
TICKS = {"day": "%m/%d", "week": "%m/%d주", "month": "%Y년 %m월"}
# Plotly toolbar: PNG download of each chart; no Plotly logo and no "share chart" button,
# which would send the data to an outside chart service.
GRAPH_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2},
                "showSendToCloud": False, "showEditInChartStudio": False,
                "modeBarButtonsToRemove": ["lasso2d", "select2d", "sendDataToCloud"]}


def figure(data, title=None, height=320, **layout):
    """A figure dict with the shared look."""
    base = {"title": {"text": title, "x": 0.01, "xanchor": "left"} if title else None, "height": height,
            "font": {"family": FONT, "size": 13},
            "margin": {"l": 50, "r": 20, "t": 60 if title else 20, "b": 40}, "plot_bgcolor": "white",
            "paper_bgcolor": "white", "legend": {"orientation": "h", "y": -0.18},
            "hoverlabel": {"font": {"family": FONT}},
            "xaxis": {"gridcolor": "#eee"}, "yaxis": {"gridcolor": "#eee"}}
    for key, value in layout.items():
        base[key] = {**base[key], **value} if isinstance(base.get(key), dict) else value
    return {"data": data, "layout": base}


def time_axis(by):
    return {"tickformat": TICKS[by], "hoverformat": "%Y-%m-%d", "gridcolor": "#eee"}


def message(text, title=None, height=320):
    """An empty chart that says why it is empty (no bare axes)."""
    return figure([], title, height, xaxis={"visible": False}, yaxis={"visible": False},
                  annotations=[{"text": text, "showarrow": False, "font": {"size": 16, "color": "#666"},
                                "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}])


def volume_by_kind(rows, story_rows, by, spikes=()):
    """Stacked bars of articles by source kind, a line of stories, spike markers."""
    data = []
    for kind, label in SOURCE_KIND_KO.items():
        pts = [r for r in rows if r["source_kind"] == kind]
        if pts:
            data.append({"type": "bar", "x": [r["period"] for r in pts], "y": [r["articles"] for r in pts],
                         "name": f"{label} 기사", "marker": {"color": KIND_COLORS[kind]},
                         "hovertemplate": "%{x}<br>" + label + " %{y}건<extra></extra>"})
    data.append({"type": "scatter", "x": [r["period"] for r in story_rows], "y": [r["stories"] for r in story_rows],
                 "name": "기사 묶음(스토리)", "mode": "lines+markers", "line": {"color": "#333", "width": 2},
                 "hovertemplate": "%{x}<br>스토리 %{y}건<extra></extra>"})
    totals = {}
    for r in rows:
        totals[r["period"]] = totals.get(r["period"], 0) + r["articles"]
    data += _spike_marks(spikes, list(totals.values()))
    return figure(data, f"보도량 ({PERIOD_KO[by]}별): 기사 수와 기사 묶음 수", barmode="stack", xaxis=time_axis(by))


def _spike_marks(spikes, values):
    if not spikes:
        return []
    top = max(values or [1]) * 1.05
    return [{"type": "scatter", "x": [s["day"] for s in spikes], "y": [top] * len(spikes), "mode": "markers",
             "name": "급증 감지", "marker": {"symbol": "triangle-down", "size": 14, "color": "#D62728"},
             "text": [f"{s['metric']} · {s['scope']} {s['key']}: {s['value'] or 0:g} (기준 {s['baseline'] or 0:.1f})"
                      for s in spikes], "hovertemplate": "%{x}<br>급증: %{text}<extra></extra>"}]


def _pct(value):
    return None if value is None else value * 100


def criticism(rows, by, spikes=()):
    """Negative share with its 95% Wilson band, and net sentiment."""
    x = [r["period"] for r in rows]
    lo = [_pct(r["ci"][0]) for r in rows]
    hi = [_pct(r["ci"][1]) for r in rows]
    data = [
        {"type": "scatter", "x": x + x[::-1], "y": hi + lo[::-1], "fill": "toself",
         "fillcolor": "rgba(228,87,86,0.18)", "line": {"width": 0}, "name": "부정 비율 95% 신뢰구간", "hoverinfo": "skip"},
        {"type": "scatter", "x": x, "y": [_pct(r["negative_share"]) for r in rows], "name": "부정 비율(%)",
         "mode": "lines+markers", "line": {"color": SENT_COLORS["negative"], "width": 2},
         "hovertemplate": "%{x}<br>부정 %{y:.1f}%<extra></extra>"},
        {"type": "scatter", "x": x, "y": [_pct(r["net_sentiment"]) for r in rows], "name": "순감성(긍정−부정, %p)",
         "mode": "lines", "line": {"color": "#4C78A8", "dash": "dot"},
         "hovertemplate": "%{x}<br>순감성 %{y:.1f}<extra></extra>"},
    ] + _spike_marks(spikes, [v for v in hi if v is not None])
    return figure(data, f"비판 추이 ({PERIOD_KO[by]}별): 부정 비율과 순감성", xaxis=time_axis(by),
                  yaxis={"ticksuffix": "%"})


def sentiment_bars(rows, key, labels, title, height=360):
    """Horizontal stacked bars of sentiment counts per group (topic × sentiment etc.)."""
    rows = sorted(rows, key=lambda r: r["articles"])
    names = [labels.get(r[key], r[key]) or "(미상)" for r in rows]
    data = [{"type": "bar", "orientation": "h", "y": names, "x": [r[s] for r in rows], "name": SENTIMENT_KO[s],
             "marker": {"color": SENT_COLORS[s]}, "hovertemplate": "%{y}<br>" + SENTIMENT_KO[s] + " %{x}건<extra></extra>"}
            for s in ("negative", "neutral", "positive")]
    return figure(data, title, height, barmode="stack", margin={"l": 160})


def hbar(labels, values, title, height=420, color="#72B7B2", hover="%{y}: %{x}건", customdata=None):
    bar = {"type": "bar", "orientation": "h", "y": labels, "x": values, "marker": {"color": color},
           "hovertemplate": hover + "<extra></extra>"}
    return figure([{**bar, "customdata": customdata} if customdata else bar], title, height, margin={"l": 110})


def topic_lines(rows, by):
    data = []
    for topic, label in TOPICS.items():
        pts = [r for r in rows if r["topic"] == topic]
        if pts:
            data.append({"type": "scatter", "mode": "lines", "x": [r["period"] for r in pts],
                         "y": [r["articles"] for r in pts], "name": label,
                         "hovertemplate": "%{x}<br>" + label + " %{y}건<extra></extra>"})
    return figure(data, f"주제별 보도량 ({PERIOD_KO[by]}별)", 380, xaxis=time_axis(by))
