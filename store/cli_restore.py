"""`monitor.py restore FILE`: check a backup and restore it into a new path (or, with
--force, in place of the current store, which is kept aside). See store/backup.py."""
from store import resolve_path
from store.backup import BackupError, restore

HELP = "백업에서 DB 복원 (검사·스키마 확인, 기존 DB는 --force 없이 덮어쓰지 않음) / restore the store from a backup"


def add_arguments(parser):
    parser.add_argument("file", metavar="FILE", help="a backup (.db.gz from `backup`) or a plain SQLite copy")
    parser.add_argument("--to", metavar="PATH", help="where to restore (default: --db, $MONITOR_DB or data/monitor.db)")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing store there (it is renamed to *.before-restore-<time>.db, not deleted)")


def run(args):
    from scheduler import SchedulerLocked, acquire_lock
    target = resolve_path(args.to or args.db)
    lock = None
    if target.exists():  # no scheduler may start on (or be running on) the store being replaced
        try:
            lock = acquire_lock(target)
        except SchedulerLocked as exc:
            raise BackupError(str(exc)) from None
    try:
        result = restore(args.file, target, force=args.force)
    finally:
        if lock:
            lock.close()
    migrated = (f", schema v{result['from_version']} → v{result['schema_version']}"
                if result["from_version"] != result["schema_version"] else f", schema v{result['schema_version']}")
    counts = result["manifest"].get("counts")
    checked = f"row counts match the backup's manifest ({counts.get('documents', 0):,} documents)" if counts \
        else "no manifest in the file: integrity checked, row counts not"
    print(f"복원 완료 / restored to {result['target']}{migrated}; integrity_check ok, {checked}")
    if result.get("set_aside"):
        print(f"기존 DB는 보관됨 / the previous store was kept as {result['set_aside']}")
    return 0
