"""CLI: python monitor.py index — fill the search index (and resume a backfill)."""
import json

HELP = "검색 색인 채우기 (기존 DB 업그레이드 후 한 번) / fill the text indexes for documents waiting in the queues"


def add_arguments(parser):
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop after about this many seconds (run again to resume)")
    parser.add_argument("--limit", type=int, default=None, help="index at most this many documents per index")
    parser.add_argument("--status", action="store_true", help="only show how many documents wait")


def run(args) -> int:
    import store
    from nlp.indexing import index_pending, pending
    db = store.open_db(getattr(args, "db", None))
    if not args.status:
        done = index_pending(db, seconds=args.seconds, limit=args.limit)
        print(json.dumps({"indexed": done}, ensure_ascii=False))
    print(json.dumps({"waiting": pending(db)}, ensure_ascii=False))
    return 0
