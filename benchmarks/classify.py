"""Classifier throughput per encoder variant, in one run on the same inputs (docs/model.md, "Speed").

Prints, for fp32 / bf16 / onnx / int8 and what `auto` picks on this CPU:
  * docs/s on documents filling the 256-token window (batch 32), as a ratio to fp32 — the
    variants take turns batch by batch, so a busy machine slows them alike;
  * docs/s on real-length documents (real_dev + seed held-out as they are), with and without
    length bucketing (sorting by token length, padding per batch), and the tokeniser's share;
  * peak RSS of each variant alone (a fresh subprocess: load + encode one batch);
  * held-out and real_dev metrics of each variant with the same trained heads, and the change
    from fp32 per head (the bar: every head within 0.01).

Usage: python benchmarks/classify.py [--n 64] [--batch-size 32] [--rounds 2]
         [--variants fp32,bf16,onnx,int8] [--real-dev PATH] [--threads N] [--skip-quality]
real_dev: PATH, else ../shared/eval/real_dev.jsonl beside the checkout (never copied here).
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
METRICS = ("relevance_f1", "sentiment_macro_f1", "topics_macro_f1", "topics_micro_f1", "region_exact")


def real_dev_path(given):
    if given:
        return Path(given)
    for base in (ROOT.parent, ROOT.parent.parent):
        p = base / "shared" / "eval" / "real_dev.jsonl"
        if p.is_file():
            return p
    return None


def full_window_texts(n):
    """Seed held-out documents repeated so each fills the 256-token window."""
    from nlp.data import SEED_HELDOUT, load_gold
    from nlp.model import doc_string
    texts = [doc_string(g) * 4 for g in load_gold(SEED_HELDOUT)]
    return (texts * (n // len(texts) + 1))[:n]


def encoder(variant, threads=None):
    """The variant as asked, even bf16 on a CPU without native bf16 (measured, not skipped)."""
    import dataclasses
    from nlp.classify import ensure_default_model
    from nlp.encoder import Encoder
    from nlp.precision import CpuFeatures
    meta = json.loads((ensure_default_model(progress=False) / "meta.json").read_text())
    cpu = None if variant == "auto" else dataclasses.replace(CpuFeatures.detect(), bf16=True)
    return Encoder(ROOT / meta["encoder"], max_length=meta["max_length"], precision=variant,
                   threads=threads, cpu=cpu, log=lambda m: print(m, file=sys.stderr))


def interleaved(fns, rounds):
    """Seconds per function, run in turns so load changes hit all of them alike."""
    total = {k: 0.0 for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            total[k] += time.perf_counter() - t0
    return total


def speed(encs, n, batch, rounds):
    texts = full_window_texts(n)
    wins = [encs["fp32"]._windows(t, False, 1)[0] for t in texts]
    assert min(map(len, wins)) == max(map(len, wins)), "inputs must all fill the window"
    for e in encs.values():
        e.embed(texts[:4], batch_size=batch)             # warm-up (kernels, allocations)
    secs = interleaved({k: (lambda e=e: e.embed(texts, batch_size=batch)) for k, e in encs.items()}, rounds)
    return {k: {"docs_per_s": round(rounds * n / s, 2), "ratio_to_fp32": round(secs["fp32"] / s, 2)}
            for k, s in secs.items()}


def real_length(enc, texts, batch, rounds):
    """Bucketed (sorted by length, padded per batch) vs file order, and the tokeniser's share."""
    t0 = time.perf_counter()
    wins = [enc._windows(t, False, 1)[0] for t in texts]
    tok_s = time.perf_counter() - t0

    def file_order():
        for s in range(0, len(wins), batch):
            enc._forward(wins[s:s + batch])
    secs = interleaved({"bucketed": lambda: enc.embed(texts, batch_size=batch), "file_order": file_order},
                       rounds)
    return {"docs": len(texts), "mean_tokens": round(sum(map(len, wins)) / len(wins), 1),
            "bucketed_docs_per_s": round(rounds * len(texts) / secs["bucketed"], 2),
            "file_order_docs_per_s": round(rounds * len(texts) / secs["file_order"], 2),
            "tokeniser_share": round(tok_s * rounds / secs["bucketed"], 4)}


def quality(encs, gold_files):
    """Metrics per variant with the same heads; the TF-IDF features are computed once."""
    from nlp import morph
    from nlp.classify import ensure_default_model
    from nlp.data import load_gold
    from nlp.metrics import evaluate
    from nlp.model import Classifier
    bundle = ensure_default_model(progress=False)
    morph.set_memo({})                                  # Kiwi once per text for all variants
    out = {}
    for name, path in gold_files.items():
        gold = load_gold(path)
        res = {}
        for k, e in encs.items():
            m = evaluate(gold, Classifier.load(bundle, encoder=e).predict(gold))
            res[k] = {key: m.get(key) for key in METRICS if m.get(key) is not None}
        for k in encs:
            res[k]["change_from_fp32"] = {key: round(res[k][key] - res["fp32"][key], 4)
                                          for key in res["fp32"] if key in res[k]}
            res[k]["within_0.01"] = all(abs(v) <= 0.01 for v in res[k]["change_from_fp32"].values())
        out[name] = res
    morph.set_memo(None)
    return out


def peak_rss(variant, batch, threads):
    """Load one variant and encode one batch in a fresh process; its peak RSS in MB."""
    cmd = [sys.executable, __file__, "--rss-worker", variant, "--batch-size", str(batch)]
    if threads:
        cmd += ["--threads", str(threads)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else None


def rss_worker(variant, batch, threads):
    """VmHWM, not ru_maxrss: the latter keeps the forking parent's peak across exec."""
    encoder(variant, threads).embed(full_window_texts(batch), batch_size=batch)
    status = Path("/proc/self/status").read_text()
    print(round(int(status.split("VmHWM:")[1].split()[0]) / 1024, 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=64, help="documents per timing round")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--variants", default="fp32,bf16,onnx,int8")
    ap.add_argument("--real-dev", default=None)
    ap.add_argument("--threads", type=int, default=None, help="torch/ORT threads (default: all cores)")
    ap.add_argument("--skip-quality", action="store_true")
    ap.add_argument("--rss-worker", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.rss_worker:
        return rss_worker(a.rss_worker, a.batch_size, a.threads)
    from nlp.precision import CpuFeatures
    cpu = CpuFeatures.detect()
    variants = a.variants.split(",")
    if "fp32" not in variants:
        variants.insert(0, "fp32")
    encs = {v: encoder(v, a.threads) for v in variants}
    auto = encoder("auto", a.threads)
    result = {"cpu": cpu.__dict__, "load_average_at_start": os.getloadavg(), "auto_picks": auto.precision,
              "auto_probe": auto.probe_report, "docs": a.n, "batch_size": a.batch_size, "rounds": a.rounds,
              "threads": a.threads or os.cpu_count()}
    print(f"auto -> {auto.precision}", file=sys.stderr)
    del auto
    result["full_window_256"] = speed(encs, a.n, a.batch_size, a.rounds)
    print(json.dumps(result["full_window_256"]), file=sys.stderr)
    from nlp.data import SEED_HELDOUT, load_gold
    from nlp.model import doc_string
    rd = real_dev_path(a.real_dev)
    real = [doc_string(g) for g in load_gold(SEED_HELDOUT)[:34]]
    if rd:
        real += [doc_string(g) for g in load_gold(rd)]
    if not cpu.bf16 and "bf16" in encs:     # emulated here: timed above, too slow to label with
        result["bf16_emulated"] = "timed only: this CPU has no native bf16"
        del encs["bf16"]
    result["real_length"] = {k: real_length(e, real, a.batch_size, a.rounds) for k, e in encs.items()}
    result["load_average_at_end_of_speed"] = os.getloadavg()
    if not a.skip_quality:
        files = {"heldout": SEED_HELDOUT}
        if rd:
            files["real_dev"] = rd
        result["quality"] = quality(encs, files)
    del encs
    result["peak_rss_mb"] = {v: peak_rss(v, a.batch_size, a.threads) for v in variants}
    result["load_average_at_end"] = os.getloadavg()
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
