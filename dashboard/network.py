"""A word network drawn with plotly: a seeded spring layout (Fruchterman–Reingold in numpy,
so the same edges always give the same picture) or, around one word, a star; edges as grey
lines in three widths by association score, nodes sized by how many sentences contain the word."""
import numpy as np

from dashboard.figures import figure

KIND_COLORS = {"person": "#E45756", "org": "#4C78A8", "place": "#54A24B", "noun": "#9D755D"}
KIND_KO = {"person": "인물", "org": "기관·단체", "place": "장소", "noun": "낱말"}


def spring_layout(nodes, edges, iterations=150, seed=7, aspect=2.0, gap=0.3):
    """{node: (x, y)}, each axis spread over -1..1; `edges` = [(a, b, weight 0..1)]. The
    drawing is `aspect` times wider than tall; nodes closer than `gap` (in height units) are
    pushed apart afterwards, so labels do not sit on each other."""
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {n: i for i, n in enumerate(nodes)}
    pos = np.random.default_rng(seed).uniform(-1, 1, (len(nodes), 2))
    weight = np.zeros((len(nodes), len(nodes)))
    for a, b, w in edges:
        weight[index[a], index[b]] = weight[index[b], index[a]] = w
    k, step = 1 / np.sqrt(len(nodes)), 0.1
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.maximum(np.linalg.norm(delta, axis=2), 0.01)
        force = (k * k / dist ** 2 - weight * dist / k)[:, :, None] * delta  # repel all, pull the joined
        pos += step * np.clip(force.sum(axis=1), -1, 1)
        step *= 0.97
    pos = _spread(pos)
    scale = np.array([aspect, 1.0])
    for _ in range(100):
        delta = (pos * scale)[:, None, :] - (pos * scale)[None, :, :]
        dist = np.linalg.norm(delta, axis=2) + np.eye(len(nodes)) * gap
        close = dist < gap
        if not close.any():
            break
        push = np.where(close, (gap - dist) / np.maximum(dist, 1e-3) / 2, 0)[:, :, None] * delta
        pos = np.clip(pos + push.sum(axis=1) / scale, -1, 1)
    return {n: (float(x), float(y)) for n, (x, y) in zip(nodes, pos)}


def star_layout(centre, ranked):
    """{node: (x, y)}: `centre` in the middle, the `ranked` words around it on an ellipse
    (the strongest first, clockwise from the top), alternating a little in and out so that
    neighbouring labels do not touch."""
    pos = {centre: (0.0, 0.0)}
    for i, node in enumerate(ranked):
        angle = np.pi / 2 - 2 * np.pi * i / len(ranked)
        radius = 0.95 if i % 2 else 0.75
        pos[node] = (float(radius * np.cos(angle)), float(radius * np.sin(angle)))
    return pos


def _spread(pos):
    """Each axis stretched over -1..1 (a far node would otherwise squeeze the rest together)."""
    low, high = pos.min(axis=0), pos.max(axis=0)
    return (pos - low) / np.maximum(high - low, 1e-9) * 2 - 1


def network_figure(edges, kinds, title, centre=None, height=560):
    """Plotly figure of the related-words edges (analysis.related rows); `kinds` {word: kind}
    colours the nodes; `centre` drawn in the middle. Each node's customdata is its word, so a
    click can centre the network on it."""
    if centre:
        nodes = [centre] + [e["target"] for e in edges]
    else:
        nodes = sorted({e[k] for e in edges for k in ("source", "target")})
    sentences = {e["source"]: e["source_sentences"] for e in edges} | {e["target"]: e["target_sentences"] for e in edges}
    top = max(e["pmi"] for e in edges)
    pos = (star_layout(centre, nodes[1:]) if centre
           else spring_layout(nodes, [(e["source"], e["target"], max(e["pmi"], 0.1) / top) for e in edges]))
    lines = []
    for band in range(3):  # three line widths (one trace each, not one per edge): weak, middle, strong
        shown = [e for e in edges if min(int(3 * max(e["pmi"], 0) / top), 2) == band]
        xs, ys = [], []
        for e in shown:
            xs += [pos[e["source"]][0], pos[e["target"]][0], None]
            ys += [pos[e["source"]][1], pos[e["target"]][1], None]
        lines.append({"type": "scatter", "mode": "lines", "hoverinfo": "skip", "showlegend": False, "x": xs, "y": ys,
                      "line": {"color": "rgba(120,130,145,0.45)", "width": 1 + 2 * band}})
    most = max(sentences.values())
    points = []
    for kind in KIND_COLORS:  # one trace per kind: the legend says what the colours mean
        shown = [n for n in nodes if kinds.get(n, "noun") == kind]
        if not shown:
            continue
        points.append({
            "type": "scatter", "mode": "markers+text", "name": KIND_KO[kind], "text": shown, "customdata": shown,
            "x": [pos[n][0] for n in shown], "y": [pos[n][1] for n in shown], "textposition": "top center",
            "marker": {"color": KIND_COLORS[kind], "line": {"color": "white", "width": 1},
                       "size": [10 + 20 * (sentences.get(n, 0) / most) ** 0.5 for n in shown]},
            "hovertext": [f"{n}: 문장 {sentences.get(n, 0):,}개" for n in shown],
            "hovertemplate": "%{hovertext}<br>눌러서 이 낱말 중심으로 보기<extra></extra>"})
    return figure(lines + points, title, height, xaxis={"visible": False, "range": [-1.12, 1.12]},
                  yaxis={"visible": False, "range": [-1.1, 1.2]}, hovermode="closest",
                  legend={"orientation": "h", "y": -0.02})
