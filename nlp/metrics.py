"""Evaluation metrics. Region accuracy = exact set match; also mean Jaccard of the sets.
An empty region list counts as {'전국'} on both sides."""
from __future__ import annotations

from nlp.data import region_set
from vocabulary import SENTIMENTS, TOPICS


def _f1(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(gold: list[dict], pred: list[dict], sentiment_only=False) -> dict:
    m: dict = {"n": len(gold)}
    # relevance (positive class = relevant)
    g = [it["relevant"] for it in gold]
    if not sentiment_only and len(set(g)) > 1:
        tp = sum(1 for a, b in zip(g, pred) if a and b["relevant"])
        fp = sum(1 for a, b in zip(g, pred) if not a and b["relevant"])
        fn = sum(1 for a, b in zip(g, pred) if a and not b["relevant"])
        m["relevance_f1"] = round(_f1(tp, fp, fn), 4)
        m["relevance_accuracy"] = round(sum(a == b["relevant"] for a, b in zip(g, pred)) / len(g), 4)
    rel = [(a, b) for a, b in zip(gold, pred) if a["relevant"]]
    sent = [(a["sentiment"], b["sentiment"]) for a, b in rel if a["sentiment"] in SENTIMENTS]
    if sent:
        per = {}
        for c in SENTIMENTS:
            tp = sum(1 for a, b in sent if a == c and b == c)
            fp = sum(1 for a, b in sent if a != c and b == c)
            fn = sum(1 for a, b in sent if a == c and b != c)
            per[c] = round(_f1(tp, fp, fn), 4)
        present = [c for c in SENTIMENTS if any(a == c for a, _ in sent)]
        m["sentiment_macro_f1"] = round(sum(per[c] for c in present) / len(present), 4)
        m["sentiment_f1"] = per
        m["sentiment_accuracy"] = round(sum(a == b for a, b in sent) / len(sent), 4)
        m["sentiment_confusion"] = {g: {p: sum(1 for a, b in sent if a == g and b == p)
                                        for p in SENTIMENTS} for g in SENTIMENTS}
        m["n_sentiment"] = len(sent)
    if sentiment_only:
        return m
    top = [(set(a["topics"]), set(b["topics"])) for a, b in rel if a["topics"] is not None]
    if top:
        TP = FP = FN = 0
        per_topic = {}
        for t in TOPICS:
            tp = sum(1 for a, b in top if t in a and t in b)
            fp = sum(1 for a, b in top if t not in a and t in b)
            fn = sum(1 for a, b in top if t in a and t not in b)
            TP, FP, FN = TP + tp, FP + fp, FN + fn
            if tp + fn:
                per_topic[t] = {"f1": round(_f1(tp, fp, fn), 4), "support": tp + fn}
        m["topics_micro_f1"] = round(_f1(TP, FP, FN), 4)
        m["topics_macro_f1"] = (round(sum(v["f1"] for v in per_topic.values()) / len(per_topic), 4)
                                if per_topic else 0.0)
        m["topics_f1"] = per_topic
    reg = [(region_set(a["regions"]), region_set(b["regions"])) for a, b in rel
           if a["regions"] is not None]
    if reg:
        m["region_exact"] = round(sum(a == b for a, b in reg) / len(reg), 4)
        m["region_jaccard"] = round(sum(len(a & b) / len(a | b) for a, b in reg) / len(reg), 4)
        m["n_region"] = len(reg)
    return m


def report(name: str, m: dict) -> str:
    """Readable summary of one system's metrics: per-class and per-topic F1, confusion matrix."""
    lines = [f"== {name} (n={m.get('n')})"]
    for key in ("relevance_f1", "sentiment_macro_f1", "topics_micro_f1", "topics_macro_f1",
                "region_exact", "region_jaccard"):
        if key in m:
            lines.append(f"  {key:20s} {m[key]:.3f}")
    if "sentiment_f1" in m:
        lines.append("  sentiment F1: " + "  ".join(f"{c} {v:.3f}" for c, v in m["sentiment_f1"].items()))
    if "sentiment_confusion" in m:
        lines.append(f"  {'confusion gold/pred':20s}" + "".join(f"{c[:3]:>6s}" for c in SENTIMENTS))
        for g, row in m["sentiment_confusion"].items():
            lines.append(f"    {g:18s}" + "".join(f"{row[p]:6d}" for p in SENTIMENTS))
    if m.get("topics_f1"):
        lines.append("  topic F1 (support): " + "  ".join(
            f"{t} {v['f1']:.2f} ({v['support']})" for t, v in m["topics_f1"].items()))
    return "\n".join(lines)
