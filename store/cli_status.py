"""`monitor.py status`: sources' health, document counts, model in use, next jobs."""
import json

from interest.store import status as interest_status
from store import open_db
from store.job_runs import age_hours, last_run
from store.sources import source_health

HELP = "수집원 상태, 기사 수, 사용 중인 모델, 다음 예약 작업 / health of sources, counts, model, next jobs"


def add_arguments(parser):
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def collect(db):
    from watchlists.alerts import status as watchlist_status
    one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    status = {
        "db": str(db.path),
        "documents": one("SELECT COUNT(*) FROM documents"),
        "duplicates": one("SELECT COUNT(*) FROM documents WHERE duplicate_of IS NOT NULL"),
        "stories": one("SELECT COUNT(DISTINCT cluster_id) FROM documents"),
        "classified": one("SELECT COUNT(*) FROM labels"),
        "relevant": one("SELECT COUNT(*) FROM labels WHERE relevant = 1"),
        "annotations": one("SELECT COUNT(*) FROM annotations"),
        "models": [dict(r) for r in db.query(
            "SELECT model_version, model_id, COUNT(*) AS documents, MAX(classified_at) AS last_used "
            "FROM classifications GROUP BY model_version, model_id ORDER BY last_used DESC")],
        "sources": source_health(db),
        "next_jobs": next_jobs(db),
        "digest_chart_font": chart_font(),
        "last_backup": last_run(db, "backup"),
        "search_interest": {**interest_status(db, _daily_quota()),  # why the last daily run stopped (no keys…)
                            "stopped": ((last_run(db, "search_interest") or {}).get("detail") or {}).get("stopped")},
        "imports": [dict(r) for r in db.query(
            "SELECT file, format, status, rows_done, new, merged, excluded, bad, finished_at FROM imports ORDER BY id")],
        "watchlists": watchlist_status(db),  # alerts on, and whether SMTP lets them go out
    }
    return status


def chart_font():
    """The font file the digest charts use, or None (then the digest goes without charts)."""
    from digest.fonts import korean_font_file
    path = korean_font_file()
    return str(path) if path else None


def backup_line(run, max_age_hours=48, now=None):
    """The last good backup, with a warning when there is none or it is too old."""
    if run is None:
        return "⚠ 백업 없음 / no backup yet: python monitor.py backup (scheduler.py runs it daily)"
    age = age_hours(run["finished_at"], now)
    line = (f"마지막 백업 / last backup: {run['finished_at']} ({age:.0f}시간 전), {run['detail'].get('path')} "
            f"({(run['detail'].get('bytes') or 0) / 1e6:.1f} MB)")
    if age > max_age_hours:
        line = f"⚠ {max_age_hours:g}시간 넘게 백업이 없습니다 / backup older than {max_age_hours:g} h! " + line
    return line


def next_jobs(db):
    """Next run times recorded by the scheduler (empty when it has never run)."""
    if "scheduled_jobs" not in db.table_names():
        return []
    return [dict(r) for r in db.query("SELECT * FROM scheduled_jobs ORDER BY next_run_at")]


def run(args):
    db = open_db(args.db)
    status = collect(db)
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2, default=str))
        return 0
    print(f"DB: {status['db']}")
    print(f"문서 {status['documents']}건 (중복 {status['duplicates']}, 기사 묶음 {status['stories']}), "
          f"분류 {status['classified']}건 (관련 {status['relevant']}), 사람 수정 {status['annotations']}건")
    if status["models"]:
        m = status["models"][0]
        print(f"모델: {m['model_id']} 버전 {m['model_version']} ({m['documents']}건, 마지막 {m['last_used']})")
    else:
        print("모델: 아직 분류한 문서 없음 (python monitor.py classify)")
    if status["digest_chart_font"]:
        print(f"주간 메일 차트 글꼴: {status['digest_chart_font']}")
    else:
        from digest.fonts import MISSING_HELP
        print(f"주간 메일 차트: 없음 — {MISSING_HELP}")
    print(f"수집원 {len(status['sources'])}개:")
    for s in status["sources"]:
        state = "정상" if not s["error_count"] else f"오류 {s['error_count']}회 연속: {s['last_error']}"
        enabled = "" if s["enabled"] else " (사용 안 함)"
        print(f"  - {s['name']} [{s['kind']}/{s['type']}]{enabled}: 문서 {s['documents']}건, "
              f"마지막 성공 {s['last_ok'] or '-'}, {state}")
    for i in status["imports"]:  # monitor.py import: files brought in, and any left unfinished
        state = (f"완료 {i['finished_at']}" if i["status"] == "done"
                 else f"중단됨: {i['rows_done']:,}행까지 저장, 같은 import 명령으로 이어서 가져오세요")
        print(f"가져온 파일 {i['file']} [{i['format']}]: 새 문서 {i['new']:,}, 합침 {i['merged']:,}, "
              f"분석제외 {i['excluded']:,}, 오류 행 {i['bad']:,}; {state}")
    if status["next_jobs"]:
        print("다음 예약 작업:")
        for j in status["next_jobs"]:
            print(f"  - {j['job_id']}: {j['next_run_at']}")
    else:
        print("다음 예약 작업: 스케줄러가 실행 중이 아님 (python scheduler.py)")
    print(backup_line(status["last_backup"], _max_backup_age()))
    from interest.cli import status_line
    print(status_line(status["search_interest"]))
    from watchlists.alerts import status_line as watchlist_line
    print(watchlist_line(status["watchlists"]))
    return 0


def _max_backup_age():
    from digest.settings import SettingsError, load_settings
    try:
        return load_settings()["health"]["max_backup_age_hours"]
    except SettingsError as exc:
        print(f"설정 오류 / settings error ({exc}); backup age limit 48 h")
        return 48


def _daily_quota():
    """[interest] daily_quota (DataLab calls a day), 1,000 when the settings cannot be read."""
    from digest.settings import SettingsError, load_settings
    try:
        return load_settings()["interest"]["daily_quota"]
    except SettingsError:
        return 1000
