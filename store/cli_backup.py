"""`monitor.py backup`: a verified, compressed online copy of the store; the retention set
in the backup folder from config/settings.toml (see store/backup.py)."""
import sys

from store import resolve_path
from store.backup import backup_folder, run_backup

HELP = "DB 백업 (서비스 실행 중에도 가능, 검증·압축·보관 정리) / back up the store (online, verified, compressed)"


def add_arguments(parser):
    parser.add_argument("--out", metavar="FILE",
                        help="write this one file (FILE.db.gz) instead of the backup folder; no retention")
    parser.add_argument("--config", help="settings file (default: config/settings.toml): [backup] folder, keep_*")


def run(args):
    from digest.settings import SettingsError, load_settings
    try:
        settings = load_settings(args.config)["backup"]
    except SettingsError as exc:
        print(f"오류 / error: {exc}", file=sys.stderr)
        return 1
    db_path = resolve_path(args.db)
    detail = run_backup(db_path, settings, out=args.out)
    print(f"백업 완료 / backup written: {detail['path']} ({detail['bytes'] / 1e6:.1f} MB, "
          f"문서 {detail['documents']:,}건, schema v{detail['schema_version']}; integrity_check ok, row counts match)")
    if "pruned" in detail:
        print(f"보관 정리 / retention in {backup_folder(db_path, settings)}: {len(detail['pruned'])} old backup(s) deleted"
              + (f" ({', '.join(detail['pruned'])})" if detail["pruned"] else ""))
    return 0
