"""`monitor.py interest`: fetch search interest (backfill with --since), show its status,
import survey results.

    python monitor.py interest --since 2021-01-01     # fetch (the daily job does the same)
    python monitor.py interest status

Survey results come in through `monitor.py import survey FILE.csv` (interest/import_cli.py).
"""
import json
import sys

from interest.collect import collect, plan, yesterday
from interest.config import FIRST_DAY, InterestConfig
from interest.datalab import keys_from_env
from interest.store import status as interest_status
from store import open_db

HELP = "네이버 검색 관심 수집·상태 / fetch search interest (Naver DataLab) and show its status"
ACTIONS = ("fetch", "status")


def add_arguments(parser):
    parser.add_argument("action", nargs="?", default="fetch", choices=ACTIONS,
                        help="fetch (default) or status")
    parser.add_argument("--since", metavar="YYYY-MM-DD", help=f"first day to fetch (default [interest] since; "
                                                              f"from {FIRST_DAY})")
    parser.add_argument("--until", metavar="YYYY-MM-DD", help="last day (default: yesterday, Korean date)")
    parser.add_argument("--force", action="store_true", help="send requests already answered today again")
    parser.add_argument("--config", help="settings file (default: config/settings.toml)")
    parser.add_argument("--json", action="store_true", help="status as JSON")


def _config(args):
    from digest.settings import load_settings
    return InterestConfig.from_settings(load_settings(args.config))


def run(args):
    from digest.settings import SettingsError
    try:
        cfg = _config(args)
    except SettingsError as exc:
        print(f"설정 오류 / settings error: {exc}", file=sys.stderr)
        return 2
    db = open_db(getattr(args, "db", None))
    try:
        if args.action == "status":
            return show_status(db, cfg, args.json)
        return fetch(db, cfg, args)
    finally:
        db.conn.close()


def fetch(db, cfg, args):
    from export.params import ParamError, date
    try:
        since, until = date("--since", args.since), date("--until", args.until)
    except ParamError as exc:
        print(f"오류 / error: {exc}", file=sys.stderr)
        return 2
    if since and since < FIRST_DAY:
        print(f"오류 / error: --since must be {FIRST_DAY} or later (DataLab has no older data)", file=sys.stderr)
        return 2
    summary = collect(db, cfg, keys_from_env(), since, until, force=args.force)
    print(summary_line(summary))
    for error in summary["errors"][:10]:
        print(f"  - {error}", file=sys.stderr)
    return 0 if not summary["failed"] and not summary["stopped"] else 1


def summary_line(summary):
    """One Korean/English line for people."""
    line = (f"검색 관심 / search interest: 요청 {summary['planned']}건 중 호출 {summary['calls']}건, "
            f"오늘 이미 받음 {summary['skipped']}건, 성공 {summary['ok']}건, 실패 {summary['failed']}건, "
            f"저장 {summary['rows']:,}행")
    return line + (f"; 중단 / stopped: {summary['stopped']}" if summary["stopped"] else "")


def show_status(db, cfg, as_json=False):
    s = interest_status(db, cfg.daily_quota)
    if as_json:
        print(json.dumps(s, ensure_ascii=False, indent=2))
        return 0
    print(status_line(s))
    calls = len(plan(cfg, cfg.since, yesterday())) if cfg.configured else 0
    print(f"검색어 묶음 {len(cfg.groups)}개 + 기준어 '{cfg.anchor.name}', 기간 단위 {', '.join(cfg.units)}, "
          f"조각 {', '.join(cfg.slices)}: 하루 {calls}회 호출")
    print(f"저장: 일별 {s['daily_rows']:,}행 ({s['groups']}개 묶음, 마지막 날 {s['newest_day'] or '-'}), 설문 {s['surveys']}건")
    for f in s["failures"]:
        print(f"  ⚠ {f['fetched_at']} {f['unit']}/{f['slice']} ({f['groups']}): {f['error']}")
    return 0


def status_line(s):
    """'검색 관심 API 오늘 호출 75 / 1,000회, 마지막 수집 …' (status, 상태)."""
    return (f"검색 관심 API 오늘 호출 / DataLab calls today: {s['calls_today']:,} / {s['daily_quota']:,}회, "
            f"마지막 수집 / last fetch: {s['last_fetch'] or '없음 / never'}"
            + (f"; 마지막 실행 중단 / last run stopped: {s['stopped']}" if s.get("stopped") else ""))

