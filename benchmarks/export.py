"""Benchmark: stream a large documents export to Parquet and measure the exporter's peak memory.

    python benchmarks/export.py                 # 1,000,000 synthetic documents (several minutes)
    python benchmarks/export.py --n 100000 --format csv
    python benchmarks/export.py --db big.db     # reuse a store built by an earlier run (--keep)

The export runs as `monitor.py export documents` in a child process; its peak resident
memory (ru_maxrss of that process) must stay under --limit-mb (default 1024). Exit code 1
when it does not.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(db_path, n):
    import store
    from store.synthetic import seed_synthetic
    db = store.open_db(db_path)
    have = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    if have < n:
        started = time.perf_counter()
        seed_synthetic(db, n - have, days=365, end_date="2025-12-31", seed=1, with_fts=False)
        print(f"seeded {n - have:,} documents in {time.perf_counter() - started:.0f}s")
    db.conn.close()


def run_child(argv):
    """Run a command; returns (exit code, seconds, peak RSS in MiB) of that child alone."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    _, status, usage = os.wait4(child.pid, 0)
    output = child.stdout.read().decode("utf-8", "replace")
    child.stdout.close()
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, time.perf_counter() - started, usage.ru_maxrss / 1024, output


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="documents in the store")
    parser.add_argument("--db", help="store to use (built up to --n documents if smaller)")
    parser.add_argument("--format", default="parquet", choices=("csv", "json", "parquet", "xlsx"))
    parser.add_argument("--with-text", action="store_true", help="include body text")
    parser.add_argument("--limit-mb", type=float, default=1024)
    parser.add_argument("--keep", action="store_true", help="keep the temporary store and file")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="export-bench-"))
    db_path = Path(args.db) if args.db else folder / "bench.db"
    build(db_path, args.n)
    out = folder / f"documents.{args.format}"
    monitor = [sys.executable, str(ROOT / "monitor.py"), "--db", str(db_path)]
    _, _, base_mb, _ = run_child(monitor + ["export", "--help"])
    command = monitor + ["export", "documents", "--relevance", "all", "--format", args.format, "--out", str(out)]
    if args.with_text:
        command.append("--with-text")
    code, seconds, peak_mb, output = run_child(command)
    if code != 0:
        print(output)
        return code
    rows = _rows(out, args.format)
    print(f"exported {rows:,} rows to {args.format} in {seconds:.1f}s ({rows / seconds:,.0f} rows/s), "
          f"file {out.stat().st_size / 2**20:.1f} MiB")
    print(f"peak RSS of the export process: {peak_mb:.0f} MiB (program start-up alone: {base_mb:.0f} MiB); "
          f"limit {args.limit_mb:.0f} MiB")
    if not args.keep:
        out.unlink()
        if not args.db:
            for p in folder.iterdir():
                p.unlink()
            folder.rmdir()
    else:
        print(f"kept: {folder}")
    return 0 if peak_mb < args.limit_mb else 1


def _rows(path, fmt):
    if fmt == "parquet":
        import pyarrow.parquet as pq
        return pq.ParquetFile(path).metadata.num_rows
    if fmt == "json":
        with open(path, "rb") as fh:
            return sum(1 for _ in fh)
    import json
    return json.loads(Path(str(path) + ".meta.json").read_text(encoding="utf-8"))["row_count"]


if __name__ == "__main__":
    sys.exit(main())
