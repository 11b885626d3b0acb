"""Benchmark: import a large BigKinds-format workbook; time, rate and the importer's peak memory.

    python benchmarks/import.py                  # 100,000 rows (target: under 2 minutes)
    python benchmarks/import.py --rows 20000     # compare peak memory across sizes: it stays flat

The workbook (BigKinds header, 200-character snippets, varied texts, 85 % with links) is
written first and not timed. The import runs as `monitor.py import bigkinds` in a child
process into a fresh store; its wall and CPU time (the importer and its file-reader process)
and peak resident memory are printed, then the same file again (must be a no-op) and, with --existing N, an
import into a store that already holds N synthetic documents.
"""
import argparse
import datetime as dt
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "bigkinds"))

from benchmarks.export import run_child  # noqa: E402
from build_workbook import OUTLETS, REGION_PLACE, REPORTERS, SNIPPET, TEMPLATES, write_workbook  # noqa: E402


def bench_rows(n, seed=7):
    """n BigKinds rows over 2015-2024 with texts drawn word by word from the demo's vocabulary,
    so that (as in a real export) few rows are near-copies of each other."""
    rng = random.Random(seed)
    words = sorted({w for variants in TEMPLATES.values() for _, title, lead in variants
                    for w in (title + " " + lead).split() if "{" not in w})
    outlets, regions = list(OUTLETS), list(REGION_PLACE)
    start = dt.date(2015, 1, 1)
    for i in range(n):
        outlet, region = rng.choice(outlets), rng.choice(regions)
        code, link, _ = OUTLETS[outlet]
        day = start + dt.timedelta(days=rng.randrange(3650))
        text = f"({region}={outlet}) {rng.choice(REPORTERS)} 기자 = " + " ".join(rng.choices(words, k=40))
        yield [f"{code}.{day:%Y%m%d}{i:09d}", f"{day:%Y%m%d}", outlet, f"{rng.choice(REPORTERS)} 기자",
               f"{region} " + " ".join(rng.choices(words, k=6)), "사회>사회일반", "", "", "", "", "", "",
               region, "자치경찰위원회", ",".join(rng.choices(words, k=8)), ",".join(rng.choices(words, k=5)),
               text[:SNIPPET], link.format(id=i) if link and rng.random() < 0.85 else "", ""]


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--existing", type=int, default=0, help="also import into a store with N synthetic documents")
    parser.add_argument("--limit-s", type=float, default=120, help="target time for the import (exit 1 if slower)")
    parser.add_argument("--write", metavar="XLSX", help=argparse.SUPPRESS)  # internal: only write the workbook
    args = parser.parse_args(argv)
    if args.write:
        write_workbook(args.write, bench_rows(args.rows))
        return 0
    folder = Path(tempfile.mkdtemp(prefix="import-bench-"))
    book = folder / f"bigkinds_{args.rows}.xlsx"
    started = time.perf_counter()
    # in a process of its own: a child forked from a large parent would count the parent's memory as its peak
    subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--write", str(book)], check=True)
    print(f"workbook: {args.rows:,} rows, {book.stat().st_size / 2**20:.1f} MiB, written in "
          f"{time.perf_counter() - started:.0f}s (not timed)")
    monitor = [sys.executable, str(ROOT / "monitor.py")]
    _, _, base_mb, _ = run_child(monitor + ["import", "--help"])
    results = []
    for label, db_path in [("fresh store", folder / "fresh.db")] + (
            [(f"store with {args.existing:,} documents", folder / "existing.db")] if args.existing else []):
        if "existing" in db_path.name:
            subprocess.run([sys.executable, "-c", "import sys, store; from store.synthetic import seed_synthetic; "
                            "seed_synthetic(store.open_db(sys.argv[1]), int(sys.argv[2]), days=365, "
                            "end_date='2025-12-31', seed=1)", str(db_path), str(args.existing)], cwd=ROOT, check=True)
        cpu_before = _children_cpu()
        code, seconds, peak_mb, output = run_child(monitor + ["--db", str(db_path), "import", "bigkinds", str(book),
                                                              "--no-progress"])
        if code:
            print(output[-2000:])
            return 1
        print(f"import into a {label}: {seconds:.1f}s wall, {_children_cpu() - cpu_before:.0f}s CPU (both processes), "
              f"{args.rows / seconds:,.0f} rows/s, peak memory {peak_mb:.0f} MiB of the larger process "
              f"(Python with the imports loaded: {base_mb:.0f} MiB)")
        print("  " + output.strip().splitlines()[0])
        results.append(seconds)
    code, seconds, _, output = run_child(monitor + ["--db", str(folder / "fresh.db"), "import", "bigkinds", str(book),
                                                    "--no-progress"])
    print(f"same file again: {seconds:.1f}s — {output.strip().splitlines()[0]}")
    ok = results[0] <= args.limit_s
    print(f"{'OK' if ok else 'TOO SLOW'}: {results[0]:.0f}s for {args.rows:,} rows (target {args.limit_s:.0f}s); "
          f"files in {folder}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
