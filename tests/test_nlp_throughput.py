"""Encoder precision variants, the auto probe and its fallbacks, and the store's feature cache
(tiny random encoder with the real tokenizer; the real model's label agreement is in
test_nlp_real_model.py)."""
import argparse
import json

import numpy as np
import pytest

from nlp import morph
from nlp import precision as prec
from nlp.encoder import Encoder, fingerprint
from nlp.feature_cache import CachedEncoder

NO_BF16 = prec.CpuFeatures(bf16=False, vnni=False, amx=False, capability="AVX2")
WITH_BF16 = prec.CpuFeatures(bf16=True, vnni=True, amx=True, capability="AVX512")
TEXTS = ["대구시 자치경찰위원회가 어린이 보호구역을 점검했다.",
         "시민단체는 자치경찰위원회의 권한이 없다며 이원화를 촉구했다. " * 6,
         "Busan police committee held a hearing."]


def test_cpu_flags_are_read_from_cpuinfo():
    amx = prec.CpuFeatures.detect("processor: 0\nflags\t\t: fpu avx2 avx512_bf16 avx512_vnni amx_int8 amx_tile\n")
    assert amx.bf16 and amx.vnni and amx.amx
    plain = prec.CpuFeatures.detect("flags\t\t: fpu sse avx avx2 fma\n")
    assert not (plain.bf16 or plain.vnni or plain.amx)
    assert "bf16" not in prec.candidates(plain) and "bf16" in prec.candidates(amx)


def test_bf16_falls_back_to_fp32_without_native_bf16(tiny_model_dir):
    lines = []
    enc = Encoder(tiny_model_dir, precision="bf16", cpu=NO_BF16, log=lines.append)
    assert enc.precision == "fp32" and "no native bf16" in lines[0]
    ref = Encoder(tiny_model_dir, precision="fp32")
    assert enc.cache_key == ref.cache_key
    np.testing.assert_allclose(enc.embed(TEXTS), ref.embed(TEXTS), atol=1e-6)
    with_bf16 = Encoder(tiny_model_dir, precision="bf16", cpu=WITH_BF16, log=lines.append)
    assert with_bf16.precision == "bf16" and with_bf16.cache_key != ref.cache_key


def test_auto_without_bf16_or_onnxruntime_probes_only_what_runs(tiny_model_dir, monkeypatch):
    lines = []
    enc = Encoder(tiny_model_dir, precision="auto", cpu=NO_BF16, log=lines.append)
    assert "bf16" not in enc.probe_report and {"fp32", "onnx", "int8"} <= set(enc.probe_report)
    chosen = enc.probe_report[enc.precision]
    assert chosen["min_cosine"] >= prec.PROBE_MIN_COSINE          # only a lossless variant wins
    assert any(line.startswith("precision auto -> ") for line in lines)
    monkeypatch.setattr(prec, "onnx_available", lambda: False)     # onnxruntime not installed
    enc = Encoder(tiny_model_dir, precision="auto", cpu=NO_BF16, log=lines.append)
    assert set(enc.probe_report) == {"fp32"} and enc.precision == "fp32"
    enc = Encoder(tiny_model_dir, precision="int8", cpu=NO_BF16, log=lines.append)
    assert enc.precision == "fp32" and "onnxruntime" in lines[-1]


def test_auto_skips_a_lossy_variant(tiny_model_dir, monkeypatch):
    """A variant below the cosine bar is never chosen, however fast."""
    enc = Encoder(tiny_model_dir, precision="fp32")

    class Lossy:                            # instant, but its vectors are off
        precision = "int8"

        def embed(self, texts, **kw):
            v = enc.embed(texts) + np.random.default_rng(0).normal(0, 0.2, (len(texts), enc.dim))
            return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)

    monkeypatch.setattr(prec, "candidates", lambda cpu: ["fp32", "int8"])
    chosen, _, report = prec.probe(lambda v: enc if v == "fp32" else Lossy(), NO_BF16)
    assert chosen == "fp32" and report["int8"]["min_cosine"] < prec.PROBE_MIN_COSINE


def test_onnx_matches_fp32_on_padded_batches(tiny_model_dir):
    """The exported graph handles mixed lengths in one padded batch like torch does."""
    ref = Encoder(tiny_model_dir, precision="fp32").embed(TEXTS, batch_size=3)
    onnx = Encoder(tiny_model_dir, precision="onnx", cpu=NO_BF16)
    assert onnx.precision == "onnx"
    assert float((onnx.embed(TEXTS, batch_size=3) * ref).sum(1).min()) > 0.9999


def test_precision_setting_and_flag(tmp_path):
    p = argparse.ArgumentParser()
    prec.add_argument(p)
    assert p.parse_args(["--precision", "int8"]).precision == "int8"
    with pytest.raises(SystemExit):
        p.parse_args(["--precision", "fp64"])
    cfg = tmp_path / "settings.toml"
    cfg.write_text('[classifier]\nprecision = "onnx"\n', encoding="utf-8")
    assert prec.setting(None, cfg) == "onnx" and prec.setting("fp32", cfg) == "fp32"
    cfg.write_text('[classifier]\nprecision = "fast"\n', encoding="utf-8")
    from digest.settings import SettingsError
    with pytest.raises(SettingsError, match="precision must be one of auto"):
        prec.setting(None, cfg)


# ---------------------------------------------------------------- feature cache

def test_cache_hit_miss_and_text_change(db, tiny_model_dir):
    enc = Encoder(tiny_model_dir, precision="fp32")
    cached = CachedEncoder(enc, db)
    first = cached.embed(TEXTS)
    assert (cached.hits, cached.misses) == (0, 3) and db["embedding_cache"].count == 3
    again = cached.embed(TEXTS)
    assert (cached.hits, cached.misses) == (3, 3)
    np.testing.assert_array_equal(first, again)                    # hit == miss, float16-rounded
    np.testing.assert_allclose(first, enc.embed(TEXTS), atol=2e-3)
    cached.embed([TEXTS[0], TEXTS[1] + " 추가 문장."])              # one text changed
    assert (cached.hits, cached.misses) == (4, 4)


def test_cache_invalidated_by_encoder_precision_and_length(db, tiny_model_dir, tmp_path):
    from tiny_model import build_tiny_model
    base = Encoder(tiny_model_dir, precision="fp32")
    CachedEncoder(base, db).embed(TEXTS)
    same = [Encoder(tiny_model_dir, precision="onnx", cpu=NO_BF16)]      # fp32 maths: shared
    other = [Encoder(tiny_model_dir, precision="int8", cpu=NO_BF16),
             Encoder(tiny_model_dir, precision="fp32", max_length=64)]
    import torch
    from transformers import BertModel
    changed = build_tiny_model(tmp_path / "retrained")
    m = BertModel.from_pretrained(changed)
    with torch.no_grad():
        m.encoder.layer[0].output.dense.weight.mul_(1.5)
    m.save_pretrained(changed, safe_serialization=True)
    other.append(Encoder(changed, precision="fp32"))
    for enc in same:
        c = CachedEncoder(enc, db)
        c.embed(TEXTS)
        assert (c.hits, c.misses) == (3, 0), enc.precision
    for enc in other:
        c = CachedEncoder(enc, db)
        c.embed(TEXTS)
        assert (c.hits, c.misses) == (0, 3), (enc.precision, enc.max_length, enc.name)


def test_training_morphemes_are_kept_in_a_file_per_analyser(tmp_path, monkeypatch):
    """Seed training without a store re-uses the Kiwi morphemes of earlier trainings: the
    second block reads them from the file (Kiwi is not called) and gets the same tokens."""
    from nlp.feature_cache import morphemes_kept_in
    texts = ["서울시자치경찰위원회가 예산 삭감을 비판했다", "경찰청은 인력 증원을 약속했다"]
    with morphemes_kept_in(tmp_path / "seed.json"):
        first = [morph.content_tokens(t) for t in texts]
    kept = tmp_path / f"seed-{morph.analyzer_key()}.json"
    assert json.loads(kept.read_text(encoding="utf-8")) == dict(zip(texts, first))

    def no_kiwi(text):
        raise AssertionError("Kiwi ran for a kept text")
    monkeypatch.setattr(morph, "morphemes", no_kiwi)
    with morphemes_kept_in(tmp_path / "seed.json"):
        assert [morph.content_tokens(t) for t in texts] == first
    with pytest.raises(AssertionError):               # outside the block nothing is memoised
        morph.content_tokens(texts[0])
    assert "예산/NNG" in first[0] and "비판/NNG" in first[0]


def test_fingerprint_covers_adapter_files(tiny_model_dir, tmp_path):
    adapter = tmp_path / "adapter_model.safetensors"
    adapter.write_bytes(b"a" * 100)
    fp = fingerprint(tiny_model_dir, extra=(adapter,))
    assert fp != fingerprint(tiny_model_dir)
    adapter.write_bytes(b"b" * 100)
    assert fingerprint(tiny_model_dir, extra=(adapter,)) != fp


def _save_docs(db, n=5):
    from store.documents import save_document
    for i in range(n):
        save_document(db, {"canonical_url": f"https://news.example/c{i}", "title": f"자치경찰위원회 소식 {i}",
                           "body": f"{TEXTS[i % 2]} 번호 {i}", "source": "test", "kind": "news",
                           "outlet": "테스트", "published_at": "2024-05-01T09:00:00+09:00"})


def test_reclassify_after_retrain_reuses_embeddings_and_morphemes(db, tiny_model_dir, monkeypatch):
    from nlp.classify import classify_pending
    _save_docs(db)
    first = classify_pending(db, model=str(tiny_model_dir), progress=False, precision="fp32")
    assert first["classified"] == 5 and first["embeddings_computed"] == 5
    assert db["morpheme_cache"].count >= 5
    before = {r["document_id"]: r["sentiment_scores"] for r in db.query("SELECT * FROM classifications")}

    def no_kiwi(text):
        raise AssertionError("Kiwi ran although its morphemes are cached")

    monkeypatch.setattr(morph, "morphemes", no_kiwi)
    def no_encoder(*args):
        raise AssertionError("the encoder ran although the embeddings are cached")

    monkeypatch.setattr(Encoder, "_forward", no_encoder)
    again = classify_pending(db, model=str(tiny_model_dir), progress=False, precision="fp32", reclassify=True)
    assert again["classified"] == 5 and again["embeddings_reused"] == 5 and again["embeddings_computed"] == 0
    after = {r["document_id"]: r["sentiment_scores"] for r in db.query("SELECT * FROM classifications")}
    assert after == before                                          # same heads, same labels


def test_predict_streams_with_progress(tmp_path, tiny_model_dir, capsys, monkeypatch):
    """Output is written batch by batch while the input is still being read (bounded memory),
    into a temporary file renamed at the end (OUT itself appears only when the run finished),
    and the progress bar counts every input line, bad ones included."""
    from nlp import cli_predict
    from nlp.model import Classifier
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [json.dumps({"id": str(i), "title": "제목", "text": TEXTS[i % 3]}, ensure_ascii=False)
            for i in range(7)]
    inp.write_text("\n".join(rows[:3] + ["{bad"] + rows[3:]) + "\n", encoding="utf-8")
    on_disk = []
    predict = Classifier.predict

    def spy(self, items, **kw):
        assert not out.exists()
        [partial] = tmp_path.glob(".out.jsonl.*.tmp")
        on_disk.append(len(partial.read_text(encoding="utf-8").splitlines()))
        return predict(self, items, **kw)

    monkeypatch.setattr(Classifier, "predict", spy)
    p = argparse.ArgumentParser()
    cli_predict.add_arguments(p)
    rc = cli_predict.run(p.parse_args(["--input", str(inp), "--output", str(out), "--model",
                                       str(tiny_model_dir), "--batch-size", "2", "--precision", "fp32"]))
    err = capsys.readouterr().err
    assert rc == 1 and "line 4" in err and "8/8" in err
    assert on_disk == [0, 2, 4, 6]                                  # batches of 2, written as they go
    got = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in got] == [str(i) for i in range(7)]


def test_int8_quantiser_does_not_flood_the_log(tiny_model_dir, tmp_path, caplog):
    """onnxruntime's quantiser logs ~80 INFO lines per graph on the root logger; the scheduler
    logs at INFO, so they reached the operator's log on every first run."""
    import logging
    import shutil

    from nlp.encoder import build_onnx
    model = tmp_path / "tiny"
    shutil.copytree(tiny_model_dir, model, ignore=shutil.ignore_patterns("onnx"))
    caplog.set_level(logging.INFO)
    logging.info("a root INFO line outside the quantiser still passes")
    path = build_onnx(model, True, "fp-test", "int8", log=lambda m: None)
    assert path.is_file()
    noisy = [r for r in caplog.records if r.name == "root" and "onnxruntime" in r.pathname
             and r.levelno <= logging.INFO]
    assert noisy == [], noisy[:3]
    assert any("outside the quantiser" in r.getMessage() for r in caplog.records)
