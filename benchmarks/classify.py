"""Classifier throughput: docs/s and peak memory at 256 tokens, fp32 vs torch dynamic int8,
plus the held-out F1 change of the int8 path (same trained heads).

Usage: python benchmarks/classify.py [--n 64] [--batch-size 32]
Each variant runs in its own subprocess so peak RSS is measured separately.
"""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def worker(quantize: bool, n: int, batch: int) -> dict:
    import resource
    import time

    from nlp.classify import ensure_default_model
    from nlp.data import SEED_HELDOUT, load_gold
    from nlp.encoder import Encoder
    from nlp.metrics import evaluate
    from nlp.model import Classifier, doc_string

    bundle = ensure_default_model(progress=False)
    meta = json.loads((bundle / "meta.json").read_text())
    enc = Encoder(meta["encoder"], max_length=256, quantize=quantize)
    gold = load_gold(SEED_HELDOUT)
    # long enough texts so that every doc fills the 256-token window
    texts = [doc_string(g) * 4 for g in gold]
    texts = (texts * (n // len(texts) + 1))[:n]
    enc.embed(texts[:batch], batch_size=batch)          # warm-up
    t0 = time.perf_counter()
    enc.embed(texts, batch_size=batch)
    dt = time.perf_counter() - t0
    clf = Classifier.load(bundle, encoder=enc)
    m = evaluate(gold, clf.predict(gold))
    return {"variant": "int8-dynamic" if quantize else "fp32", "docs": n, "batch_size": batch,
            "docs_per_s": round(n / dt, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "heldout": {k: m.get(k) for k in ("sentiment_macro_f1", "relevance_f1",
                                              "topics_micro_f1", "region_exact")}}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--worker", choices=["fp32", "int8"])
    a = ap.parse_args()
    if a.worker:
        print(json.dumps(worker(a.worker == "int8", a.n, a.batch_size)))
        return
    from nlp.classify import ensure_default_model
    ensure_default_model()                             # build once, outside the timings
    results = []
    for v in ("fp32", "int8"):
        out = subprocess.run([sys.executable, __file__, "--worker", v, "--n", str(a.n),
                              "--batch-size", str(a.batch_size)],
                             capture_output=True, text=True, check=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    f32, q8 = results
    delta = {k: (round(q8["heldout"][k] - f32["heldout"][k], 4)
                 if q8["heldout"][k] is not None and f32["heldout"][k] is not None else None)
             for k in f32["heldout"]}
    print(json.dumps({"results": results, "int8_minus_fp32": delta,
                      "speedup": round(q8["docs_per_s"] / f32["docs_per_s"], 2)},
                     ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
