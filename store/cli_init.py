"""`monitor.py init`: create or upgrade the store."""
from store import open_db
from store.schema import SCHEMA_VERSION, current_version

HELP = "DB를 만들거나 최신 스키마로 올립니다 / create or migrate the SQLite store"


def add_arguments(parser):
    pass


def run(args):
    db = open_db(args.db)
    print(f"DB 준비 완료 / store ready: {db.path} (schema v{current_version(db)}/{SCHEMA_VERSION}, WAL)")
    return 0
