"""Building, loading and running the classifier against the store.

Public API: ensure_default_model, load_classifier, train_classifier, classify_pending.
"""
from __future__ import annotations

import contextlib
import hashlib
import re
import sys
from pathlib import Path

from nlp.errors import ModelMissing

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CLASSIFIER = ROOT / "models" / "classifier"
SEED_MORPHEMES = ROOT / "models" / "seed-morphemes.json"  # Kiwi output for training texts (feature_cache)


def _default_encoder() -> Path:
    from nlp.convert import DEFAULT_MODEL_DIR
    return DEFAULT_MODEL_DIR


def _is_default(model) -> bool:
    return model is None or Path(model).resolve() == _default_encoder().resolve()


def classifier_dir_for(model=None) -> Path:
    """Where the heads for an encoder live: models/classifier for the default encoder,
    <model dir>/monitor-classifier for another local folder, models/classifier-<slug> for a hub id."""
    if _is_default(model):
        return DEFAULT_CLASSIFIER
    if Path(model).is_dir():
        return Path(model) / "monitor-classifier"
    slug = re.sub(r"[^\w.-]+", "_", str(model))
    return ROOT / "models" / f"classifier-{slug}"


def _log(progress):
    return (lambda m: print(m, file=sys.stderr)) if progress else (lambda m: None)


def seed_hash() -> str:
    from nlp.data import SEED_TRAIN
    return hashlib.sha256(SEED_TRAIN.read_bytes()).hexdigest()[:12] if SEED_TRAIN.exists() else ""


def training_items(db=None, use_annotations=True, log=print) -> list[dict]:
    """Seed train split + human annotations from the store. Never the held-out split."""
    from nlp.data import SEED_TRAIN, load_gold
    if not SEED_TRAIN.exists():
        raise ModelMissing(f"training data {SEED_TRAIN.name} is missing")
    items = load_gold(SEED_TRAIN, log=log)
    if db is not None and use_annotations:
        from store.labels import annotations_for_training
        ann = annotations_for_training(db)
        for a in ann:
            a.setdefault("region", None)
        items += ann
        log(f"training on {len(items) - len(ann)} seed items + {len(ann)} annotated documents")
    return items


def train_classifier(model=None, out=None, db=None, use_annotations=True, progress=True,
                     precision=None):
    """Convert the default encoder if needed, fit the heads, save the bundle; returns Classifier.
    With a store, embeddings and morphemes are read from / saved to its feature cache."""
    from nlp.encoder import Encoder
    from nlp.model import MAX_LENGTH, Classifier
    from nlp.precision import setting
    log = _log(progress)
    if _is_default(model):
        from nlp.convert import convert
        model = convert(_default_encoder(), log=log)
    enc = Encoder(model, max_length=MAX_LENGTH, precision=setting(precision), log=log)
    items = training_items(db, use_annotations, log)
    if db is not None:
        from nlp.feature_cache import CachedEncoder
        cached = CachedEncoder(enc, db)
        with cached.active():
            clf = Classifier.train(cached, items, log=log)
        clf.encoder = enc
        log(f"feature cache: {cached.hits} embeddings reused, {cached.misses} encoded")
    else:
        from nlp.feature_cache import morphemes_kept_in
        with morphemes_kept_in(SEED_MORPHEMES):
            clf = Classifier.train(enc, items, log=log)
    clf.meta["seed_hash"] = seed_hash()
    clf.save(out or classifier_dir_for(model))
    log(f"classifier {clf.version} saved to {out or classifier_dir_for(model)}")
    return clf


def ensure_default_model(progress=True, model=None, precision=None) -> Path:
    """Idempotent: convert the encoder and train the heads if missing; returns the bundle dir."""
    from nlp.model import bundle_problem
    d = classifier_dir_for(model)
    enc_ok = (model is not None and not _is_default(model)) or (_default_encoder() / "model.safetensors").exists()
    problem = bundle_problem(d)
    if problem and (d / "meta.json").exists():  # e.g. a train killed while saving (older code)
        _log(progress)(f"classifier bundle in {d} is broken ({problem}); rebuilding it")
    if not problem and enc_ok:
        import json
        from nlp.model import CODE_VERSION
        try:
            meta = json.loads((d / "meta.json").read_text())
            fresh = meta.get("seed_hash") == seed_hash() and meta.get("code_version") == CODE_VERSION
        except ValueError:
            fresh = False
        if fresh:                           # rebuilt when the seed data or the head code changed
            return d
    train_classifier(model, d, progress=progress, precision=precision)
    return d


_cache: dict = {}


def load_classifier(classifier_dir=None, model=None, build=True, precision=None):
    """Load (and cache) a classifier. Without an explicit dir, the bundle for `model` is
    built on first use; an explicit dir that is missing or broken raises ModelMissing.
    precision: fp32 | bf16 | onnx | int8 | auto; None = config/settings.toml (nlp/precision.py)."""
    from nlp.precision import setting
    precision = setting(precision)
    key = (str(classifier_dir), str(model), precision)
    if key in _cache:
        return _cache[key]
    from nlp.model import Classifier
    rebuild = classifier_dir is None and build  # the default bundle for `model`: ours to rebuild
    if classifier_dir is None:
        if model is not None and not _is_default(model) and not Path(model).is_dir() \
                and str(model).startswith((".", "/", "~")):
            raise ModelMissing(f"encoder folder not found: {model}")
        classifier_dir = ensure_default_model(progress=True, model=model, precision=precision) \
            if build else classifier_dir_for(model)
    encoder = None if _is_default(model) else model
    try:
        clf = Classifier.load(classifier_dir, model=encoder, precision=precision)
    except ModelMissing:
        if not rebuild:
            raise
        # broken in a way only unpickling shows (a bundle saved before checksums): rebuild once
        train_classifier(model, classifier_dir, progress=True, precision=precision)
        clf = Classifier.load(classifier_dir, model=encoder, precision=precision)
    _cache[key] = clf
    return clf


def _doc_item(row: dict) -> dict:
    text = row.get("body") or row.get("summary") or ""
    return {"id": row["id"], "title": row.get("title") or "", "text": text,
            "region": row.get("region")}


HEADS_BATCH = 1024         # documents per step of `classify_pending` when no encoding is needed


def classify_pending(db, classifier_dir=None, model=None, batch_size=32, limit=None,
                     progress=True, reclassify=False, precision=None, cache=True) -> dict:
    """Label documents not yet classified by the current model version, in batches.
    cache: reuse / save embeddings and morphemes in the store (nlp/feature_cache.py)."""
    import copy
    from tqdm import tqdm
    from nlp.feature_cache import CachedEncoder
    from store.labels import documents_to_classify, save_classifications
    clf = load_classifier(classifier_dir, model, precision=precision)
    docs = documents_to_classify(db, clf.version, limit=limit, reclassify=reclassify)
    counts = {"classified": 0, "relevant": 0, "failed": 0, "model_version": clf.version,
              "precision": clf.encoder.precision}
    cached = CachedEncoder(clf.encoder, db) if cache else None
    if cached:
        clf = copy.copy(clf)               # the shared, cached classifier keeps its own encoder
        clf.encoder = cached
    bar = tqdm(total=len(docs), disable=not progress, desc="classify", unit="doc")
    s, step = 0, batch_size
    while s < len(docs):
        batch = [_doc_item(r) for r in docs[s:s + step]]
        s += len(batch)
        misses = cached.misses if cached else None
        with cached.active() if cached else contextlib.nullcontext():
            pairs = _predict_isolated(clf, batch, batch_size, counts)
        # documents whose embeddings were all cached cost only the heads, which run faster on
        # larger batches: the step grows while the cache serves every document
        step = min(step * 2, max(HEADS_BATCH, batch_size)) if cached and cached.misses == misses else batch_size
        rows = [{"document_id": it["id"], "model_id": clf.meta.get("encoder"),
                 "model_version": clf.version, **p} for it, p in pairs]
        if rows:
            save_classifications(db, rows)
        counts["classified"] += len(rows)
        counts["relevant"] += sum(1 for r in rows if r["relevant"])
        bar.update(len(batch))
    bar.close()
    if cached:
        counts["embeddings_reused"], counts["embeddings_computed"] = cached.hits, cached.misses
    counts["indexed"] = _index_text(db)
    return counts


def _index_text(db):
    """The search index (and term lists) of the documents crawled since the last run."""
    from nlp.indexing import index_pending
    return index_pending(db)


def _predict_isolated(clf, batch, batch_size, counts) -> list:
    """(item, prediction) pairs; a batch that fails is retried per document so one bad
    document is reported and skipped, never the rest."""
    try:
        return list(zip(batch, clf.predict(batch, batch_size=batch_size)))
    except Exception:
        pairs = []
        for it in batch:
            try:
                pairs.append((it, clf.predict([it])[0]))
            except Exception as e:
                counts["failed"] += 1
                print(f"classify: document {it['id']} failed: {type(e).__name__}: {e}", file=sys.stderr)
        return pairs
