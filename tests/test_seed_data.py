"""Validate the labelled seed files in nlp/data/ (schema, vocabulary, ids, coverage, leaks)."""
import collections
import json
from pathlib import Path

import pytest

from vocabulary import ALL_REGIONS, NATIONAL, REGIONS, SENTIMENTS, SOURCE_KINDS, TOPICS

DATA_DIR = Path(__file__).resolve().parent.parent / "nlp" / "data"
TRAIN = DATA_DIR / "seed_train.jsonl"
REQUIRED = ("id", "title", "text", "relevant", "sentiment", "topics", "regions", "kind")
STYLES = {"headline_lead", "statement", "press_release", "broadcast", "column",
          "english", "noisy_page", "explainer", "headline_only", "snippet"}
DERIVED = {"headline_only", "snippet"}     # import-path views of another train item


def load(path):
    """Return the items of a JSONL file; fail with the line number on a bad line."""
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            pytest.fail(f"{path.name}:{n}: invalid JSON ({exc})")
        assert isinstance(obj, dict), f"{path.name}:{n}: not a JSON object"
        items.append(obj)
    return items


def seed_files():
    return sorted(DATA_DIR.glob("seed_*.jsonl"))


@pytest.fixture(scope="module")
def train():
    assert TRAIN.exists(), "nlp/data/seed_train.jsonl is missing"
    return load(TRAIN)


@pytest.mark.parametrize("path", seed_files(), ids=lambda p: p.name)
def test_items_schema_and_vocabulary(path):
    items = load(path)
    assert items, f"{path.name} is empty"
    for it in items:
        where = f"{path.name} {it.get('id')}"
        for field in REQUIRED:
            assert field in it, f"{where}: missing field {field!r}"
        assert isinstance(it["title"], str) and it["title"].strip(), f"{where}: empty title"
        assert isinstance(it["text"], str) and it["text"].strip(), f"{where}: empty text"
        assert isinstance(it["relevant"], bool), f"{where}: relevant must be true/false"
        assert it["sentiment"] in SENTIMENTS, f"{where}: bad sentiment {it['sentiment']!r}"
        assert it["kind"] in SOURCE_KINDS, f"{where}: bad kind {it['kind']!r}"
        assert isinstance(it["topics"], list) and len(it["topics"]) <= 3, f"{where}: topics"
        bad_t = [t for t in it["topics"] if t not in TOPICS]
        assert not bad_t, f"{where}: unknown topics {bad_t}"
        bad_r = [r for r in it["regions"] if r not in ALL_REGIONS]
        assert not bad_r, f"{where}: unknown regions {bad_r}"
        assert len(set(it["topics"])) == len(it["topics"]), f"{where}: duplicate topic"
        assert len(set(it["regions"])) == len(it["regions"]), f"{where}: duplicate region"
        if not it["relevant"]:
            assert not it["topics"] and not it["regions"], f"{where}: irrelevant item has labels"
        if "style" in it:
            assert it["style"] in STYLES, f"{where}: bad style {it['style']!r}"


def test_ids_unique_across_seed_files():
    seen = {}
    for path in seed_files():
        for it in load(path):
            assert it["id"] not in seen, f"id {it['id']} in {path.name} and {seen[it['id']]}"
            seen[it["id"]] = path.name


def test_train_items_well_formed(train):
    ids = [it["id"] for it in train]
    assert all(i.startswith("tr-") for i in ids), "train ids must start with tr-"
    for it in train:
        low = 10 if it.get("style") == "headline_only" else 40
        assert low <= len(it["text"]) <= 900, f"{it['id']}: text length {len(it['text'])}"
        assert it.get("outlet"), f"{it['id']}: missing outlet"
        if it["relevant"]:
            assert it["topics"] and it["regions"], f"{it['id']}: relevant item without labels"


def test_train_coverage(train):
    train = [it for it in train if it.get("style") not in DERIVED]
    assert len(train) >= 540
    rel = [it for it in train if it["relevant"]]
    negatives = len(train) - len(rel)
    assert negatives >= 0.25 * len(train), f"hard negatives {negatives}/{len(train)}"
    sent = collections.Counter(it["sentiment"] for it in rel)
    for s in SENTIMENTS:
        assert sent[s] >= 0.25 * len(rel), f"sentiment {s}: {sent[s]} of {len(rel)} relevant"
    topics = collections.Counter(t for it in train for t in it["topics"])
    for t in TOPICS:
        assert topics[t] >= 25, f"topic {t}: {topics[t]} items"
    regions = collections.Counter(r for it in train for r in it["regions"])
    for r in REGIONS:
        assert regions[r] >= 10, f"region {r}: {regions[r]} items"
    assert regions[NATIONAL] >= 40, f"전국: {regions[NATIONAL]} items"
    kinds = collections.Counter(it["kind"] for it in train)
    assert kinds["civic"] >= 50, kinds
    assert kinds["committee"] >= 70, kinds
    assert kinds["government"] >= 20, kinds
    english = sum(1 for it in train if it.get("style") == "english")
    assert english >= 0.03 * len(train), f"english items: {english}"


def test_no_train_text_in_other_seed_files(train):
    train_texts = {it["text"].strip() for it in train}
    assert len(train_texts) == len(train), "duplicate texts inside seed_train.jsonl"
    for path in seed_files():
        if path == TRAIN:
            continue
        leaked = [it["id"] for it in load(path) if it["text"].strip() in train_texts]
        assert not leaked, f"{path.name} repeats seed_train texts: {leaked[:5]}"


def test_derived_items_keep_their_source_labels(train):
    """Headline-only and 200-character snippet items (the Google News and BigKinds import
    paths) are views of another train item and carry its labels unchanged."""
    by_id = {it["id"]: it for it in train}
    derived = [it for it in train if it.get("style") in DERIVED]
    assert len(derived) >= 100
    for it in derived:
        src = by_id.get(it.get("derived_from"))
        assert src is not None and src.get("style") not in DERIVED, f"{it['id']}: bad derived_from"
        for k in ("relevant", "sentiment", "topics", "regions"):
            assert it[k] == src[k], f"{it['id']}: {k} differs from {src['id']}"
        if it["style"] == "snippet":
            assert len(it["text"]) <= 204, f"{it['id']}: snippet longer than 200 characters"
