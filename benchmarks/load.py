"""Load test of the dashboard's HTTP API: a bounded burst of concurrent requests on 127.0.0.1.

    python benchmarks/load.py [--db PATH] [--docs 1000000] [--requests 400] [--concurrency 16]

Seeds PATH (default: a temporary file) with synthetic documents unless it already holds some
(1M documents: a few minutes, once; keep the file with --db to reuse it), serves the real
dashboard app (create_app: Dash pages + /api/v1) with werkzeug in threads on a free port,
sends exactly --requests GET requests from --concurrency client threads over a fixed mix of
API calls, then stops the server and prints throughput and latency (p50/p95/max) per endpoint
and overall. It stops by itself: each request has a timeout and the burst has a fixed size.
Exit code 1 if any request failed (non-200 or a "database is locked" body).
"""
import argparse
import concurrent.futures
import logging
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from store import open_db  # noqa: E402
from store.synthetic import seed_synthetic  # noqa: E402

# (name, path and query) — what the export API's users and the dashboard ask for most.
MIX = [
    ("documents page 1", "api/v1/documents?per_page=50"),
    ("documents by region", "api/v1/documents?region=서울&sentiment=negative&per_page=50"),
    ("documents search", "api/v1/documents?q=자치경찰&per_page=20"),
    ("documents deep page", "api/v1/documents?per_page=100&page=50"),
    ("trends by day", "api/v1/trends?by=day"),
    ("trends week × sentiment", "api/v1/trends?by=week&group=sentiment"),
    ("trends month × region", "api/v1/trends?by=month&group=region&from=2026-01-01"),
]


def ensure_store(path, docs):
    db = open_db(path)
    have = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    if have < docs:
        started = time.monotonic()
        print(f"seeding {docs - have:,} synthetic documents into {path} ...", file=sys.stderr, flush=True)
        seed_synthetic(db, docs - have, days=365, seed=have, with_fts=docs - have <= 200_000)
        print(f"  seeded in {time.monotonic() - started:.0f}s", file=sys.stderr, flush=True)
    total = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    db.conn.close()
    return total


class Server:
    def __init__(self, db_path):
        from werkzeug.serving import make_server
        from dashboard.app import create_app
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.httpd = make_server("127.0.0.1", 0, create_app(str(db_path)).server, threaded=True)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()


def fetch(url, timeout):
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.parse.quote(url, safe=":/?&=%"), timeout=timeout) as resp:
            body, status = resp.read(), resp.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    except Exception as exc:  # noqa: BLE001 - timeouts and resets are results here
        body, status = repr(exc).encode(), None
    ok = status == 200 and b"database is locked" not in body
    return time.perf_counter() - started, ok, status


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def run(db_path, requests, concurrency, timeout=60.0, warmup=True):
    """Returns (results per endpoint, wall seconds, first-request seconds per endpoint);
    results: name -> [(seconds, ok, status)]."""
    server = Server(db_path)
    cold = {}
    try:
        if warmup:  # one of each first, alone: its time is the cold (uncached) answer, not load
            for name, path in MIX:
                cold[name] = fetch(server.url + path, timeout)[0]
        jobs = [MIX[i % len(MIX)] for i in range(requests)]
        results = {name: [] for name, _ in MIX}
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
            futures = {pool.submit(fetch, server.url + path, timeout): name for name, path in jobs}
            for future in concurrent.futures.as_completed(futures):
                results[futures[future]].append(future.result())
        return results, time.perf_counter() - started, cold
    finally:
        server.close()


def report(results, wall, docs, concurrency, cold=None):
    """The table; 'first ms' is the endpoint's first request, alone, before the burst (cold
    caches: what a new question costs); the burst repeats questions, as dashboards do."""
    cold = cold or {}
    lines = [f"store: {docs:,} documents · {sum(map(len, results.values()))} requests · "
             f"{concurrency} concurrent clients · {wall:.1f}s",
             f"{'endpoint':28} {'first ms':>8} {'n':>4} {'fail':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"]
    every = []
    for name, rows in results.items():
        times = [t for t, _, _ in rows]
        every += times
        first = f"{cold[name] * 1000:.0f}" if name in cold else "-"
        lines.append(f"{name:28} {first:>8} {len(rows):>4} {sum(not ok for _, ok, _ in rows):>4} {pct(times, .5) * 1000:>8.0f} "
                     f"{pct(times, .95) * 1000:>8.0f} {max(times) * 1000:>8.0f}")
    failed = sum(not ok for rows in results.values() for _, ok, _ in rows)
    lines.append(f"{'all':28} {'':>8} {len(every):>4} {failed:>4} {pct(every, .5) * 1000:>8.0f} "
                 f"{pct(every, .95) * 1000:>8.0f} {max(every) * 1000:>8.0f}")
    lines.append(f"throughput: {len(every) / wall:.1f} requests/s")
    return "\n".join(lines), failed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="store to use (seeded if it has fewer than --docs documents)")
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=400, help="size of the burst (it stops after these)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=60.0, help="per-request timeout in seconds")
    args = parser.parse_args(argv)
    db_path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "load.db"
    docs = ensure_store(db_path, args.docs)
    results, wall, cold = run(db_path, args.requests, args.concurrency, args.timeout)
    text, failed = report(results, wall, docs, args.concurrency, cold)
    print(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
