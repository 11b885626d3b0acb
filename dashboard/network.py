"""A word network drawn with plotly: a seeded spring layout (Fruchterman–Reingold in numpy,
so the same edges always give the same picture), edges as grey lines whose width grows with
the association score, nodes sized by how many sentences contain the word."""
import numpy as np

from dashboard.figures import figure

KIND_COLORS = {"person": "#E45756", "org": "#4C78A8", "place": "#54A24B", "noun": "#9D755D"}
KIND_KO = {"person": "인물", "org": "기관·단체", "place": "장소", "noun": "낱말"}


def spring_layout(nodes, edges, iterations=120, seed=7):
    """{node: (x, y)} in -1..1; `edges` = [(a, b, weight)]. One node sits at the centre."""
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {n: i for i, n in enumerate(nodes)}
    pos = np.random.default_rng(seed).uniform(-1, 1, (len(nodes), 2))
    weight = np.zeros((len(nodes), len(nodes)))
    for a, b, w in edges:
        weight[index[a], index[b]] = weight[index[b], index[a]] = w
    k = 1 / np.sqrt(len(nodes))
    step = 0.1
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.maximum(np.linalg.norm(delta, axis=2), 0.01)
        force = (k * k / dist ** 2 - weight * dist / k)[:, :, None] * delta  # repel all, pull the joined
        pos += step * np.clip(force.sum(axis=1), -1, 1)
        step *= 0.97
    pos -= pos.mean(axis=0)
    pos /= max(np.abs(pos).max(), 1e-9)
    return {n: (float(x), float(y)) for n, (x, y) in zip(nodes, pos)}


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
    pos = spring_layout(nodes, [(e["source"], e["target"], max(e["pmi"], 0.1) / top) for e in edges])
    if centre:
        pos = {n: (x - pos[centre][0], y - pos[centre][1]) for n, (x, y) in pos.items()}
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
                       "size": [14 + 26 * (sentences.get(n, 0) / most) ** 0.5 for n in shown]},
            "hovertext": [f"{n}: 문장 {sentences.get(n, 0):,}개" for n in shown],
            "hovertemplate": "%{hovertext}<br>눌러서 이 낱말 중심으로 보기<extra></extra>"})
    hidden = {"visible": False, "range": [-1.25, 1.25]}
    return figure(lines + points, title, height, xaxis=hidden, yaxis=hidden, hovermode="closest",
                  legend={"orientation": "h", "y": -0.02})
