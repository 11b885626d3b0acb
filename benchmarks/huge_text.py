"""Classifying one huge text: seconds and peak memory of `predict` for one document of 10 KB,
1 MB and 8 MB (a crawled page can be 8 MB) with the real model, each size in its own process.

Usage: python benchmarks/huge_text.py [--sizes 10000,1000000,8000000] [--model DIR]
The text is a real-looking lead paragraph followed by repeated Korean filler; stages read
at most nlp.clean.MAX_TEXT_CHARS of it. 'model only' is the same process with a short text:
the difference is what the huge text costs.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEAD = "부산시자치경찰위원회는 어린이 보호구역 안전 대책을 논의했다. 시민단체는 예산이 부족하다고 비판했다.\n"
FILLER = "대구 날씨 맑음 축구 경기 결과 주식 시장 반도체 수출 증가 서울 교통 공사 소식 "


def run_once(chars, model, folder):
    text = LEAD + FILLER * (chars // len(FILLER) + 1)
    inp, out = folder / f"in-{chars}.jsonl", folder / f"out-{chars}.jsonl"
    inp.write_text(json.dumps({"id": "x", "title": "자치경찰위원회 회의", "text": text[:chars]}, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    cmd = [sys.executable, str(ROOT / "monitor.py"), "predict", "--input", str(inp), "--output", str(out)]
    if model:
        cmd += ["--model", model]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"predict failed on {chars:,} characters: {proc.stderr.read().decode()[-500:]}")
    return seconds, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,1000000,8000000")
    ap.add_argument("--model", default=None, help="encoder folder (default: the bundled model)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        run_once(200, args.model, folder)  # warm-up: file caches, so the first figure is not inflated
        base_s, base_mb = run_once(200, args.model, folder)
        print(f"{'model only (200 chars)':>24}: {base_s:6.1f} s, peak RSS {base_mb:6.0f} MiB")
        for chars in (int(s) for s in args.sizes.split(",")):
            seconds, mb = run_once(chars, args.model, folder)
            print(f"{f'{chars:,} chars':>24}: {seconds:6.1f} s, peak RSS {mb:6.0f} MiB "
                  f"(+{seconds - base_s:.1f} s, +{mb - base_mb:.0f} MiB over the model alone)")


if __name__ == "__main__":
    main()
