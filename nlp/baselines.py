"""Two baselines for evaluate: TF-IDF over Kiwi morphemes + logistic regression, and the
KOSAC polarity lexicon (vendored subset, nlp/data/kosac_polarity.tsv)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from nlp.clean import document_text
from vocabulary import NATIONAL, SENTIMENTS, TOPICS
from nlp.morph import content_tokens, morphemes
from nlp.regions import region_evidence, rule_regions

LEXICON = Path(__file__).resolve().parent / "data" / "kosac_polarity.tsv"


class TfidfBaseline:
    """Same heads as the real model, but on TF-IDF of morphemes; regions by rules only."""

    def fit(self, items):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        self.vec = TfidfVectorizer(analyzer=lambda s: content_tokens(s), min_df=2, sublinear_tf=True)
        X = self.vec.fit_transform([document_text(i["title"], i["text"]) for i in items])

        def lr(idx, y):
            if len(set(y)) < 2:
                return y[0] if len(y) else False
            return LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced").fit(X[idx], y)
        rel = [i for i, it in enumerate(items) if it["relevant"] is not None]
        self.rel = lr(rel, [bool(items[i]["relevant"]) for i in rel])
        sent = [i for i, it in enumerate(items) if it["relevant"] and it["sentiment"] in SENTIMENTS]
        self.sent = lr(sent, [items[i]["sentiment"] for i in sent])
        top = [i for i, it in enumerate(items) if it["relevant"] and it["topics"] is not None]
        self.topics = {t: lr(top, [t in items[i]["topics"] for i in top]) for t in TOPICS}
        return self

    def predict(self, items):
        X = self.vec.transform([document_text(i["title"], i["text"]) for i in items])

        def pred(m):
            return m.predict(X) if hasattr(m, "predict") else np.array([m] * X.shape[0])
        rel, sent = pred(self.rel), pred(self.sent)
        tops = {t: pred(m) for t, m in self.topics.items()}
        return [{"relevant": bool(rel[k]), "sentiment": str(sent[k]),
                 "topics": [t for t in TOPICS if tops[t][k]],
                 "regions": rule_regions(region_evidence(it["title"], it["text"]))}
                for k, it in enumerate(items)]


def load_lexicon(path=LEXICON) -> dict[tuple[str, str], float]:
    lex = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        w, tag, s = line.split("\t")
        lex[(w, tag)] = float(s)
    return lex


class KosacBaseline:
    """Sentiment only: mean lexicon polarity of the morphemes, thresholded at +/- margin."""

    def __init__(self, margin=0.15):
        self.lex, self.margin = load_lexicon(), margin

    def score(self, text: str) -> float:
        hits = [self.lex[m] for m in morphemes(text) if m in self.lex]
        return float(np.mean(hits)) if hits else 0.0

    def predict(self, items):
        out = []
        for it in items:
            s = self.score(document_text(it["title"], it["text"]))
            sent = "positive" if s > self.margin else "negative" if s < -self.margin else "neutral"
            out.append({"relevant": True, "sentiment": sent, "topics": [], "regions": [NATIONAL],
                        "kosac_score": s})
        return out
