"""The trained classifier: encoder embeddings -> calibrated heads, plus the region model.

Each head (relevance, sentiment, every topic) blends two calibrated logistic regressions:
one on the encoder embeddings (the main input) and one on TF-IDF of Kiwi morphemes +
character n-grams (see docs/model.md).

A bundle directory holds ``heads.joblib`` and ``meta.json`` (version = hash of
encoder weights + training data + CODE_VERSION; the encoder it was trained on).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path

import numpy as np

from nlp.clean import document_parts, document_text, join_parts
from nlp.errors import ModelMissing
from store.util import process_alive
from vocabulary import NATIONAL, REGIONS, SENTIMENTS, TOPICS
from nlp.regions import candidate_features, evidence_many, region_evidence, rule_regions

CODE_VERSION = "nlp-4"
TOPIC_IDS = tuple(TOPICS)
LONG_MODE = "head"          # title + lead within max_length tokens (see docs/model.md)
MAX_LENGTH = 256
TEXT_WEIGHT = 0.5           # weight of the TF-IDF head in each blend (chosen by CV on seed_train)
REGION_ADD, REGION_DROP = 0.9, 0.1   # the learned region part overrides the rules only beyond these
THRESHOLD_GRID = np.round(np.arange(0.2, 0.61, 0.05), 2)   # per-topic thresholds, chosen out of fold


class _PlattLR:
    """Logistic regression whose decision values are sigmoid-calibrated (Platt) on its own
    3-fold out-of-fold values, one final model fitted on all the data. The out-of-fold
    probabilities stay on the head (``oof_proba_``), so per-topic thresholds are chosen out of
    fold without fitting anything again."""

    def __init__(self, C=2.0):
        self.C = C

    def fit(self, X, y):
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_predict
        base = LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced")
        self.classes_ = np.unique(y)
        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
        D = cross_val_predict(base, X, y, cv=folds, method="decision_function").reshape(len(y), -1)
        self.base = base.fit(X, y)
        targets = [y == self.classes_[1]] if len(self.classes_) == 2 else [y == c for c in self.classes_]
        self.platt = [LogisticRegression(C=1e4).fit(D[:, [k]], t) for k, t in enumerate(targets)]
        self.oof_proba_ = self._calibrate(D)
        return self

    def _calibrate(self, D):
        from scipy.special import expit
        D = np.asarray(D).reshape(D.shape[0], -1)
        P = np.column_stack([expit(_decision(p, D[:, [k]])) for k, p in enumerate(self.platt)])
        if len(self.classes_) == 2:
            return np.column_stack([1 - P[:, 0], P[:, 0]])
        return P / np.maximum(P.sum(1, keepdims=True), 1e-12)

    def predict_proba(self, X):
        return self._calibrate(_decision(self.base, X))


def _decision(lr, X):
    """lr.decision_function(X) without sklearn's per-call input checks: a batch makes hundreds
    of these calls, and the checks cost more than the products. The same arithmetic."""
    from sklearn.utils.extmath import safe_sparse_dot
    scores = safe_sparse_dot(X, lr.coef_.T, dense_output=True) + lr.intercept_
    return scores.reshape(-1) if scores.shape[1] == 1 else scores


def _calibrated_lr(y, C=2.0):
    """Calibrated logistic regression when each class has enough examples, else a plain one."""
    from sklearn.linear_model import LogisticRegression
    _, counts = np.unique(y, return_counts=True)
    if len(counts) > 1 and counts.min() >= 6:
        return _PlattLR(C)
    return LogisticRegression(C=C, max_iter=2000, class_weight="balanced")


class _Constant:
    """Stand-in head when the training data has a single class."""

    def __init__(self, cls):
        self.classes_ = np.array([cls])

    def predict_proba(self, X, Xt=None, text_share=None):
        return np.ones((X.shape[0], 1))


def _fit(X, y, C=2.0):
    if len(set(y)) < 2:
        return _Constant(y[0])
    return _calibrated_lr(y, C).fit(X, y)


class _Blend:
    """Weighted mean of the probabilities of an embedding head and a TF-IDF head."""

    def __init__(self, emb, text, weight):
        self.emb, self.text, self.weight = emb, text, weight
        self.classes_ = emb.classes_

    def predict_proba(self, X, Xt=None, text_share=None):
        """text_share: per-row trust in the TF-IDF head (0..1); English text gets 0, as the
        TF-IDF vocabulary is Korean and would only pull its scores towards the prior."""
        p = self.emb.predict_proba(X)
        if self.text is None or Xt is None or not self.weight:
            return p
        weight = self.weight if text_share is None else self.weight * np.asarray(text_share)[:, None]
        return (1 - weight) * p + weight * self.text.predict_proba(Xt)

    def oof_proba(self, text_share=None):
        """Out-of-fold blend probabilities of the training rows (None if a part has none)."""
        a, b = getattr(self.emb, "oof_proba_", None), getattr(self.text, "oof_proba_", None)
        if a is None or b is None:
            return None
        weight = self.weight if text_share is None else self.weight * np.asarray(text_share)[:, None]
        return (1 - weight) * a + weight * b


def _fit_blend(X, Xt, y, C=2.0, C_text=4.0, weight=TEXT_WEIGHT):
    if len(set(y)) < 2:
        return _Constant(y[0])
    return _Blend(_fit(X, y, C), _fit(Xt, y, C_text), weight)


def topic_thresholds(topic_heads: dict, Y, text_share) -> dict:
    """Per-topic decision thresholds maximising the out-of-fold F1 of each topic's blend
    (its calibration folds), shrunk halfway towards 0.5 so that a rare topic's few examples
    do not move it far; 0.5 where a head has no out-of-fold scores (too few examples)."""
    out = {}
    for j, t in enumerate(TOPIC_IDS):
        head = topic_heads[t]
        P = head.oof_proba(text_share) if isinstance(head, _Blend) else None
        if P is None:
            out[t] = 0.5
            continue
        p = P[:, list(head.classes_).index(True)]
        f1 = [_f1(Y[:, j], p >= c) for c in THRESHOLD_GRID]
        out[t] = round(float((THRESHOLD_GRID[int(np.argmax(f1))] + 0.5) / 2), 3)
    return out


def _f1(y, pred) -> float:
    tp = float(np.sum(y & pred))
    return 2 * tp / (np.sum(y) + np.sum(pred)) if np.sum(y) + np.sum(pred) else 0.0


def _proba(head, X, positive, Xt=None, text_share=None):
    classes = list(head.classes_)
    if positive not in classes:
        return np.zeros(X.shape[0])
    P = head.predict_proba(X) if Xt is None else head.predict_proba(X, Xt, text_share)
    return P[:, classes.index(positive)]


HANGUL = re.compile(r"[가-힣]")
LETTER = re.compile(r"[가-힣A-Za-z]")


def korean_share(texts):
    """Per text: how far to trust the Korean TF-IDF head, from the share of Hangul among its
    letters (full trust from 50 % Hangul up; an English-only text gets 0)."""
    out = []
    for text in texts:
        letters = len(LETTER.findall(text))
        out.append(min(1.0, 2 * len(HANGUL.findall(text)) / letters) if letters else 1.0)
    return np.array(out)


class TextFeatures:
    """TF-IDF of Kiwi content morphemes + character 2-4-grams (both sublinear, L2-normed)."""

    def fit(self, texts):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from nlp.morph import content_tokens
        self.morph = TfidfVectorizer(analyzer=content_tokens, min_df=2, sublinear_tf=True)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=2,
                                     sublinear_tf=True, max_features=50000)
        self.morph.fit(texts)
        self.chars.fit(texts)
        return self

    def transform(self, texts):
        import scipy.sparse as sp
        from nlp import char_ngrams
        return sp.hstack([self.morph.transform(texts), char_ngrams.tfidf(self.chars, texts)]).tocsr()


def doc_string(item: dict) -> str:
    return document_text(item.get("title"), item.get("text"))


class Classifier:
    def __init__(self, encoder, heads: dict, meta: dict):
        self.encoder, self.heads, self.meta = encoder, heads, meta

    @property
    def version(self) -> str:
        return self.meta["version"]

    # ---------- training ----------
    @classmethod
    def train(cls, encoder, items: list[dict], log=print) -> "Classifier":
        """Fit all heads. items: dicts with title, text, relevant, sentiment, topics, regions
        (sentiment/topics/regions may be None = unknown for human annotations)."""
        if len(items) < 10:
            raise ValueError(f"too few training items ({len(items)}); need seed_train.jsonl")
        texts = [doc_string(it) for it in items]
        t0 = time.time()
        X = encoder.embed(texts, chunk=LONG_MODE == "chunk")
        log(f"embedded {len(texts)} training docs in {time.time() - t0:.1f}s")
        text_features = TextFeatures().fit(texts)
        Xt = text_features.transform(texts)
        heads = {"text_features": text_features}
        rel_idx = [i for i, it in enumerate(items) if it.get("relevant") is not None]
        heads["relevance"] = _fit_blend(X[rel_idx], Xt[rel_idx],
                                        np.array([bool(items[i]["relevant"]) for i in rel_idx]))
        sent_idx = [i for i, it in enumerate(items)
                    if it.get("relevant") and it.get("sentiment") in SENTIMENTS]
        heads["sentiment"] = _fit_blend(X[sent_idx], Xt[sent_idx],
                                        np.array([items[i]["sentiment"] for i in sent_idx]), C=4.0)
        top_idx = [i for i, it in enumerate(items) if it.get("relevant") and it.get("topics") is not None]
        heads["topics"] = {}
        Y = np.array([[t in items[i]["topics"] for t in TOPIC_IDS] for i in top_idx])
        for j, t in enumerate(TOPIC_IDS):
            heads["topics"][t] = _fit_blend(X[top_idx], Xt[top_idx], Y[:, j])
        heads["topic_thresholds"] = topic_thresholds(heads["topics"], Y,
                                                     korean_share([texts[i] for i in top_idx]))
        heads["regions"] = cls._train_regions(items, X)
        meta = {
            "version": _version(encoder.fingerprint, items),
            "encoder": _portable(encoder.name), "encoder_fingerprint": encoder.fingerprint,
            "code_version": CODE_VERSION, "long_mode": LONG_MODE, "max_length": encoder.max_length,
            "n_train": len(items), "n_relevant": len(sent_idx), "dim": int(X.shape[1]),
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        return cls(encoder, heads, meta)

    @staticmethod
    def _train_regions(items, X):
        """Pairwise model: is candidate region r one of the doc's regions? + a national head."""
        from sklearn.linear_model import LogisticRegression
        feats, ys, nat_X, nat_y = [], [], [], []
        for i, it in enumerate(items):
            if not it.get("relevant") or it.get("regions") is None or it.get("derived_from"):
                continue                # headline/snippet views repeat their source's regions
            ev = region_evidence(it.get("title") or "", _body(it))
            gold = set(it["regions"]) or {NATIONAL}
            for r in ev:
                if r in REGIONS:
                    feats.append(candidate_features(ev, r, it.get("region")))
                    ys.append(r in gold)
            nat_X.append(np.concatenate([X[i], _nat_feats(ev)]))
            nat_y.append(NATIONAL in gold)
        pair = (LogisticRegression(C=1.0, max_iter=2000).fit(np.array(feats), ys)
                if len(set(ys)) == 2 else None)
        nat = _fit(np.array(nat_X), np.array(nat_y)) if nat_X else None
        return {"pair": pair, "national": nat}

    # ---------- inference ----------
    def predict(self, items: list[dict], batch_size: int = 32) -> list[dict]:
        if not items:
            return []
        parts = [document_parts(it.get("title"), it.get("text")) for it in items]
        texts = [join_parts(*p) for p in parts]
        X = self.encoder.embed(texts, batch_size=batch_size,
                               chunk=self.meta.get("long_mode") == "chunk")
        h = self.heads
        Xt = h["text_features"].transform(texts)
        share = korean_share(texts)
        p_rel = _proba(h["relevance"], X, True, Xt, share)
        sent_classes = list(h["sentiment"].classes_)
        P_sent = h["sentiment"].predict_proba(X, Xt, share)
        topic_p = {t: _proba(h["topics"][t], X, True, Xt, share) for t in TOPIC_IDS}
        regions = self._regions(items, X, [body for _, body in parts])
        cut = h.get("topic_thresholds", {})
        out = []
        for i, it in enumerate(items):
            ss = {s: round(float(P_sent[i, sent_classes.index(s)]) if s in sent_classes else 0.0, 4)
                  for s in SENTIMENTS}
            tscores = {t: round(float(topic_p[t][i]), 4) for t in TOPIC_IDS}
            relevant = bool(p_rel[i] >= 0.5)
            topics = [t for t in TOPIC_IDS if tscores[t] >= cut.get(t, 0.5)]
            if relevant and not topics:
                best = max(tscores, key=tscores.get)
                topics = [best] if tscores[best] >= 0.25 else []
            out.append({
                "relevant": relevant, "relevance_score": round(float(p_rel[i]), 4),
                "sentiment": max(ss, key=ss.get), "sentiment_scores": ss,
                "topics": topics if relevant else [], "topic_scores": tscores,
                "regions": regions[i],
            })
        return out

    def _regions(self, items: list[dict], X: np.ndarray, bodies: list[str]) -> list[list[str]]:
        """Regions per item: the rules' region set; the learned pair model only adds a candidate
        the rules left out when it is confident (p >= REGION_ADD) and only drops one the rules
        chose when it is confident it is wrong (p <= REGION_DROP); 전국 is added only on a
        confident national head. The pair and national models run once per batch: per-document
        sklearn calls cost more than the models themselves (docs/model.md, "Embedding cache")."""
        evs = evidence_many([(it.get("title") or "", body) for it, body in zip(items, bodies)])
        rules = [[r for r in rule_regions(ev) if r != NATIONAL] for ev in evs]
        rm = self.heads.get("regions") or {}
        if rm.get("pair") is None:
            return [chosen or [NATIONAL] for chosen in rules]
        cands = [[r for r in REGIONS if r in ev] for ev in evs]
        rows = [candidate_features(ev, r, it.get("region"))
                for it, ev, cs in zip(items, evs, cands) for r in cs]
        probs = iter(rm["pair"].predict_proba(np.array(rows))[:, 1] if rows else [])
        p_nat = (_proba(rm["national"], np.hstack([X, np.array([_nat_feats(ev) for ev in evs])]), True)
                 if rm.get("national") is not None else np.zeros(len(items)))
        out = []
        for cs, by_rules, pn in zip(cands, rules, p_nat):
            P = {r: next(probs) for r in cs}
            chosen = [r for r in REGIONS if (r in by_rules and P.get(r, 1.0) > REGION_DROP)
                      or (r not in by_rules and P.get(r, 0.0) >= REGION_ADD)]
            out.append([NATIONAL] + chosen if not chosen or pn >= REGION_ADD else chosen)
        return out

    # ---------- persistence ----------
    def save(self, path: Path | str) -> Path:
        """Write the bundle to a temporary folder beside `path`, then swap it in by renames:
        a process killed while saving leaves the previous bundle (or none), never a half one.
        meta.json records the SHA-256 of heads.joblib, checked by `bundle_problem`."""
        import joblib
        path = Path(path)
        if path.is_dir() and not {p.name for p in path.iterdir()} <= set(BUNDLE_FILES):
            raise ValueError(f"{path} holds other files than a classifier bundle; give an empty or new folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        _clean_stale_saves(path)
        tmp, old = (path.with_name(f".{path.name}.{tag}-{os.getpid()}") for tag in ("new", "old"))
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        try:
            joblib.dump(self.heads, tmp / "heads.joblib")
            meta = {**self.meta, "heads_sha256": _sha256(tmp / "heads.joblib")}
            (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1))
            for name in BUNDLE_FILES:
                with open(tmp / name, "rb") as fh:
                    os.fsync(fh.fileno())
            if path.exists():
                os.rename(path, old)
            try:
                os.rename(tmp, path)
            except OSError:
                if old.exists():  # put the previous bundle back
                    os.rename(old, path)
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.rmtree(old, ignore_errors=True)
        return path

    @classmethod
    def load(cls, path: Path | str, encoder=None, model: str | None = None,
             precision: str = "fp32") -> "Classifier":
        import joblib
        from nlp.encoder import Encoder
        path = Path(path)
        problem = bundle_problem(path)
        if problem and (path / "meta.json").exists():
            raise ModelMissing(f"classifier bundle in {path} is broken ({problem})")
        try:
            meta = json.loads((path / "meta.json").read_text())
            heads = joblib.load(path / "heads.joblib")
        except FileNotFoundError:
            raise ModelMissing(f"classifier bundle not found in {path}") from None
        except Exception as e:  # corrupt pickle / json
            raise ModelMissing(f"classifier bundle in {path} is broken ({type(e).__name__}: {e})") from None
        if meta.get("code_version") != CODE_VERSION or "text_features" not in heads:
            raise ModelMissing(f"classifier bundle in {path} was built by code version "
                               f"{meta.get('code_version')}, not {CODE_VERSION}; retrain it")
        if encoder is None:
            encoder = Encoder(model or _resolve(meta["encoder"]), max_length=meta.get("max_length", MAX_LENGTH),
                              precision=precision)
        if encoder.dim != meta.get("dim"):
            raise ModelMissing(
                f"classifier in {path} was trained on encoder {meta.get('encoder')} "
                f"(dim {meta.get('dim')}), not {encoder.name} (dim {encoder.dim}); retrain it")
        return cls(encoder, heads, meta)


BUNDLE_FILES = ("heads.joblib", "meta.json")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _clean_stale_saves(path: Path) -> None:
    """Folders left by a save that was killed: a half-written new bundle is removed; the
    previous bundle, if the kill came between the two renames, is put back."""
    for stale in sorted(path.parent.glob(f".{path.name}.*-*")):
        tag, _, pid = stale.name.rpartition("-")
        if not pid.isdigit() or process_alive(pid):
            continue
        if tag.endswith(".old") and not path.exists():
            os.rename(stale, path)
        else:
            shutil.rmtree(stale, ignore_errors=True)


def bundle_problem(path: Path | str) -> str | None:
    """Why the bundle in `path` cannot be used (missing, unreadable, empty or changed heads),
    or None. Cheap: no unpickling; bundles saved before the checksum only get the size check."""
    path = Path(path)
    try:
        meta = json.loads((path / "meta.json").read_text())
        size = (path / "heads.joblib").stat().st_size
    except FileNotFoundError as e:
        return f"{Path(e.filename).name} is missing"
    except (OSError, ValueError) as e:
        return f"meta.json is unreadable ({type(e).__name__})"
    if not isinstance(meta, dict):
        return "meta.json is not an object"
    if size == 0:
        return "heads.joblib is empty"
    if meta.get("heads_sha256") and meta["heads_sha256"] != _sha256(path / "heads.joblib"):
        return "heads.joblib does not match meta.json"
    return None


_ROOT = Path(__file__).resolve().parent.parent


def _portable(name: str) -> str:
    """Encoder path relative to the repository when it lives inside it (bundles stay movable)."""
    p = Path(name)
    try:
        return p.resolve().relative_to(_ROOT).as_posix() if p.is_dir() else name
    except ValueError:
        return name


def _resolve(name: str) -> str:
    p = _ROOT / name
    return str(p) if not Path(name).is_absolute() and p.is_dir() else name


def _body(it: dict) -> str:
    return document_parts(it.get("title"), it.get("text"))[1]


def _nat_feats(ev: dict) -> np.ndarray:
    n_regions = sum(1 for r in ev if r in REGIONS)
    return np.array([min(ev.get(NATIONAL, {}).get("cue", 0), 5) / 5, min(n_regions, 6) / 6,
                     float(n_regions == 0)])


def _version(encoder_fp: str, items: list[dict]) -> str:
    h = hashlib.sha256()
    h.update(encoder_fp.encode())
    h.update(CODE_VERSION.encode())
    for it in items:
        h.update(json.dumps([it.get(k) for k in ("id", "title", "text", "relevant", "sentiment",
                                                 "topics", "regions")],
                            ensure_ascii=False, sort_keys=True).encode())
    return h.hexdigest()[:12]
