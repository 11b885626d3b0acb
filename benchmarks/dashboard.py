"""Dashboard callback latency on a large synthetic store.

    python benchmarks/dashboard.py [--db PATH] [--docs 1000000] [--repeat 5]

Seeds PATH (default: a temporary file) with synthetic documents unless it already holds
some, builds the rollups, then times the work each callback does (the same view functions
the callbacks call) over a set of filter states and prints p50/p95 per callback in ms.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp import indexing  # noqa: E402
from dashboard.data import Data  # noqa: E402
from dashboard.state import Context, parse_search  # noqa: E402
from dashboard.views import documents, entities, overview, regions, related, sources, status, topics  # noqa: E402
from store import open_db, rollups  # noqa: E402
from store.synthetic import seed_synthetic  # noqa: E402

# Filter states a member of staff clicks through (URL query strings); all answered by rollups.
STATES = ["", "?by=week", "?by=month&start=2026-08-23", "?region=서울", "?sentiment=negative&kind=news",
          "?kind=civic", "?outlet=KBS&outlet=한겨레", "?region=부산&kind=news", "?start=2026-11-14"]
# States that need the live queries (full-text search; a topic with the per-region view): --live
LIVE_STATES = ["?q=예산", "?q=자치경찰 치안", "?topic=budget"]


def view_call(view, fn=None):
    def call(data, db, state):
        return (fn or view.render)(data, db, Context(state, data.bounds(db)))
    return call


def docs_table(data, db, state):
    return documents.render_table(data, db, Context(state, data.bounds(db)), "relevant", "published_desc", 3)


def spike_drivers(data, db, state):
    """The 'what drove it' panel of a spike marker's click-through: the range's last day."""
    end = Context(state, data.bounds(db)).end
    return documents.render_drivers(data, db, Context(dict(state, start=end, end=end, spike=end), data.bounds(db)))


def doc_detail(data, db, state):
    doc_id = db.execute("SELECT id FROM documents ORDER BY rowid DESC LIMIT 1").fetchone()[0]
    return documents.detail(db, doc_id)


def entity_trend(data, db, state):
    """The 인물·연관어 tab's trend of the store's most mentioned name (looked up on the first call)."""
    if not hasattr(entity_trend, "name"):
        row = db.execute("""SELECT v.term FROM term_base b JOIN term_vocab v ON v.id = b.term
                            WHERE v.kind != 'noun' GROUP BY v.term ORDER BY SUM(b.docs) DESC LIMIT 1""").fetchone()
        entity_trend.name = row and row[0]
    ctx = Context(state, data.bounds(db))
    return entities.trend(data, db, ctx, entity_trend.name) if entity_trend.name else None


def related_words(word=None):
    def call(data, db, state):
        return related.render(data, db, Context(state, data.bounds(db)), word)
    return call


CALLBACKS = {
    "overview": view_call(overview), "regions": view_call(regions), "topics": view_call(topics),
    "topics_keywords": view_call(topics, topics.render_keywords), "sources": view_call(sources),
    "documents_table": docs_table, "spike_drivers": spike_drivers, "document_detail": doc_detail,
    "status": view_call(status), "entities": view_call(entities), "entity_trend": entity_trend,
    "related_network": related_words(), "related_word": related_words("예산"),
    "url_sync": lambda data, db, state: Context(state, data.bounds(db)),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="store to use (seeded when empty)")
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--live", action="store_true",
                        help="time the states that need live queries instead (seed with FTS for text search)")
    args = parser.parse_args(argv)
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench.db"
    db = open_db(path)
    have = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    if not have:
        t = time.perf_counter()
        seed_synthetic(db, args.docs, days=90, end_date="2026-11-20", with_fts=args.live)
        print(f"seeded {args.docs:,} documents in {time.perf_counter() - t:.0f} s")
        have = args.docs
    t = time.perf_counter()
    rollups.ensure(db)
    print(f"store: {have:,} documents; rollups ready in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    done = indexing.index_pending(db)  # what classify does for new documents (Kiwi term lists)
    print(f"text indexes: {done} in {time.perf_counter() - t:.1f} s")
    db.conn.close()
    data = Data(path)
    states = LIVE_STATES if args.live else STATES
    print(f"{'callback':18} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  ({len(states)} filter states × {args.repeat})")
    worst = 0
    with data.db() as db:
        for name, call in CALLBACKS.items():
            times = []
            for _ in range(args.repeat):
                for search in states:
                    t = time.perf_counter()
                    call(data, db, parse_search(search))
                    times.append((time.perf_counter() - t) * 1000)
            times.sort()
            p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
            worst = max(worst, p95)
            print(f"{name:18} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f}")
    print(f"worst p95: {worst:.0f} ms (target < 300 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
