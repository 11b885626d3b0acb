"""Load test of the dashboard's server: bounded bursts of concurrent requests on 127.0.0.1.

    python benchmarks/load.py [--db PATH] [--docs 1000000] [--requests 400] [--concurrency 16]
                              [--server waitress|dev]
    python benchmarks/load.py --sweep 1,2,4,8,16,32 [--per-user 8]   # production vs development server

Seeds PATH (default: a temporary file) with synthetic documents unless it already holds some
(1M documents: a few minutes, once; keep the file with --db to reuse it), serves the real
dashboard app (create_app: Dash pages and callbacks + /api/v1) with waitress (the production
server) or werkzeug (the development server) on a free port, sends exactly --requests
requests from --concurrency client threads over a fixed mix (API calls and the Dash
callbacks a dashboard user's clicks send), then stops the server and prints throughput and
latency (p50/p95/max) per request kind and overall. It stops by itself: each request has a
timeout and the burst has a fixed size. Exit code 1 if any request failed (non-200 or a
"database is locked" body).

--sweep: for each number of users (client threads sending their next request --think seconds
after the last answer; 0, the default, is the worst case: every user always waiting on the
server) both servers answer a burst of users × --per-user requests, alternating per step so
machine load drifts hit both alike; it prints p95 and throughput per step and the most users
each server served at p95 < 1 s.
"""
import argparse
import concurrent.futures
import json
import logging
import random
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard import event_markers  # noqa: E402
from store import open_db  # noqa: E402
from store.synthetic import seed_synthetic  # noqa: E402

# (name, path and query) — what the export API's users and the dashboard ask for most.
API_MIX = [
    ("documents page 1", "api/v1/documents?per_page=50"),
    ("documents by region", "api/v1/documents?region=서울&sentiment=negative&per_page=50"),
    ("documents search", "api/v1/documents?q=자치경찰&per_page=20"),
    ("documents deep page", "api/v1/documents?per_page=100&page=50"),
    ("trends by day", "api/v1/trends?by=day"),
    ("trends week × sentiment", "api/v1/trends?by=week&group=sentiment"),
    ("trends month × region", "api/v1/trends?by=month&group=region&from=2026-01-01"),
]
# (name, an output id of the view's callback, the page's URL query): a dashboard user's clicks
DASH_MIX = [
    ("dash overview", "ov-kpis", ""),
    ("dash regions 서울", "rg-map", "?view=regions&region=서울"),
    ("dash topics by week", "tp-lines", "?view=topics&by=week"),
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


def mix(base_url, timeout=60):
    """[(name, url, JSON body or None)]: the API calls, then the Dash callbacks built from
    /_dash-dependencies the way the browser sends them."""
    requests = [(name, base_url + path, None) for name, path in API_MIX]
    with urllib.request.urlopen(base_url + "_dash-dependencies", timeout=timeout) as resp:
        deps = json.load(resp)
    for name, output_id, search in DASH_MIX:
        dep = next(d for d in deps if output_id in d["output"]
                   and [i["id"] for i in d["inputs"]][:1] == ["url"])
        outputs = [dict(zip(("id", "property"), o.split("."))) for o in dep["output"].strip(".").split("...")]
        # the time charts also take the policy-event toggle: every kind shown, as on a first visit
        inputs = [{"id": "url", "property": "search", "value": search}] + [
            {"id": "ev-show", "property": "value", "value": list(event_markers.GROUPS)}
            for i in dep["inputs"] if i["id"] == "ev-show"]
        body = {"output": dep["output"], "outputs": outputs, "inputs": inputs,
                "changedPropIds": ["url.search"], "state": []}
        requests.append((name, base_url + "_dash-update-component", json.dumps(body).encode()))
    return requests


def fetch(url, timeout, body=None):
    started = time.perf_counter()
    request = urllib.request.Request(urllib.parse.quote(url, safe=":/?&=%"), data=body,
                                     headers={"Content-Type": "application/json"} if body else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            data, status = resp.read(), resp.status
    except urllib.error.HTTPError as exc:
        data, status = exc.read(), exc.code
    except Exception as exc:  # noqa: BLE001 - timeouts and resets are results here
        data, status = repr(exc).encode(), None
    ok = status == 200 and b"database is locked" not in data
    return time.perf_counter() - started, ok, status


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def start(db_path, kind):
    """The dashboard app on its own server (its own caches) on a free port."""
    from dashboard.app import create_app
    from dashboard.serve import Server
    logging.getLogger("waitress").setLevel(logging.ERROR)  # "task queue depth" warnings are the point here
    return Server(create_app(str(db_path)).server, "127.0.0.1", 0, kind)


def warm(requests, timeout):
    """One of each first, alone: its time is the cold (uncached) answer, not load."""
    return {name: fetch(url, timeout, body)[0] for name, url, body in requests}


def burst(requests, count, concurrency, timeout, think=0.0):
    """`count` requests cycling through the mix, shared out over `concurrency` users (client
    threads), each sending its next one `think` seconds after the last answer (first one
    after a random part of `think`, so users do not click in step). Returns (results per
    kind, wall seconds); results: name -> [(seconds, ok, status)]."""
    jobs = [requests[i % len(requests)] for i in range(count)]
    results = {name: [] for name, _, _ in requests}
    stagger = random.Random(7)

    def user(mine, delay):
        time.sleep(delay)
        out = []
        for i, (name, url, body) in enumerate(mine):
            time.sleep(think if i else 0)
            out.append((name, fetch(url, timeout, body)))
        return out

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        users = [pool.submit(user, jobs[u::concurrency], stagger.uniform(0, think)) for u in range(concurrency)]
        for future in concurrent.futures.as_completed(users):
            for name, result in future.result():
                results[name].append(result)
    return results, time.perf_counter() - started


def run(db_path, requests, concurrency, timeout=60.0, warmup=True, kind="waitress"):
    """Returns (results per request kind, wall seconds, first-request seconds per kind)."""
    server = start(db_path, kind)
    try:
        todo = mix(server.url, timeout)
        cold = warm(todo, timeout) if warmup else {}
        results, wall = burst(todo, requests, concurrency, timeout)
        return results, wall, cold
    finally:
        server.close()


def sweep(db_path, levels, per_user, timeout, think=0.0, kinds=("waitress", "dev")):
    """p95 and throughput per (users, server), both servers stepped through together."""
    servers = {kind: start(db_path, kind) for kind in kinds}
    try:
        todo = {kind: mix(server.url, timeout) for kind, server in servers.items()}
        for kind in kinds:
            warm(todo[kind], timeout)
        table = []
        for users in levels:
            for kind in kinds:
                results, wall = burst(todo[kind], users * per_user, users, timeout, think)
                times = [t for rows in results.values() for t, _, _ in rows]
                failed = sum(not ok for rows in results.values() for _, ok, _ in rows)
                table.append({"users": users, "server": kind, "p50": pct(times, .5), "p95": pct(times, .95),
                              "rps": len(times) / wall, "failed": failed})
                print(f"  {users:>3} users  {kind:9} p95 {pct(times, .95) * 1000:7.0f} ms  "
                      f"{len(times) / wall:6.1f} req/s  failed {failed}", file=sys.stderr, flush=True)
        return table
    finally:
        for server in servers.values():
            server.close()


def sweep_report(table, kinds=("waitress", "dev"), limit=1.0):
    lines = [f"{'users':>5} " + " ".join(f"{k + ' p95 ms':>16} {k + ' req/s':>14}" for k in kinds)]
    for users in sorted({row["users"] for row in table}):
        cells = {row["server"]: row for row in table if row["users"] == users}
        lines.append(f"{users:>5} " + " ".join(f"{cells[k]['p95'] * 1000:>16.0f} {cells[k]['rps']:>14.1f}" for k in kinds))
    served = {k: max([row["users"] for row in table if row["server"] == k and row["p95"] < limit
                      and not row["failed"]], default=0) for k in kinds}
    lines.append(f"users served at p95 < {limit:g} s: " + ", ".join(f"{k} {served[k]}" for k in kinds))
    return "\n".join(lines), served


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
    parser.add_argument("--server", choices=("waitress", "dev"), default="waitress")
    parser.add_argument("--sweep", help="users to step through, e.g. 1,2,4,8,16,32: waitress vs dev")
    parser.add_argument("--per-user", type=int, default=8, help="requests per user in each --sweep step")
    parser.add_argument("--think", type=float, default=0.0,
                        help="--sweep: seconds a user waits after an answer before the next request (default 0)")
    args = parser.parse_args(argv)
    db_path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "load.db"
    docs = ensure_store(db_path, args.docs)
    if args.sweep:
        levels = [int(v) for v in args.sweep.split(",")]
        print(f"store: {docs:,} documents · {args.per_user} requests per user · think time {args.think:g} s")
        table = sweep(db_path, levels, args.per_user, args.timeout, args.think)
        text, _ = sweep_report(table)
        print(text)
        return 1 if any(row["failed"] for row in table) else 0
    results, wall, cold = run(db_path, args.requests, args.concurrency, args.timeout, kind=args.server)
    text, failed = report(results, wall, docs, args.concurrency, cold)
    print(f"server: {args.server}")
    print(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
