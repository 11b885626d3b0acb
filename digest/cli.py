"""`monitor.py digest`: preview or send a week's digest."""
import base64
import sys
from pathlib import Path

from digest.build import build_digest, last_complete_week, parse_week
from digest.render import render_html, render_text
from digest.send import LEASE_MINUTES, send_log, send_week
from digest.settings import SettingsError, dashboard_url, load_settings, parse_recipients, smtp_from_env
from vocabulary import ALL_REGIONS
from store import open_db
from store.queries import QueryError

HELP = "주간 동향 메일 미리보기·발송 / preview or send the weekly digest"


def add_arguments(parser):
    parser.add_argument("--week", help="ISO week, e.g. 2026-W47 (default: last complete week, Korean time)")
    parser.add_argument("--preview", metavar="OUT.html", help="write the HTML (charts embedded) without sending")
    parser.add_argument("--send", action="store_true", help="send now to recipients not yet served this week")
    parser.add_argument("--recipients", help="comma-separated emails, optional region after a colon "
                                             "(a@x.kr,b@y.kr:서울); default: [[recipients]] in settings")
    parser.add_argument("--region", choices=ALL_REGIONS, help="preview as a recipient of this region")
    parser.add_argument("--config", help="settings file (default: config/settings.toml)")
    parser.add_argument("--log", action="store_true", help="show the send log for the week")


def preview_html(ctx, charts=None):
    from digest.charts import digest_charts  # matplotlib: imported only when a chart is drawn
    charts = charts if charts is not None else digest_charts(ctx["series"])
    return render_html(ctx, {n: "data:image/png;base64," + base64.b64encode(png).decode() for n, png in charts.items()})


def run(args):
    try:
        settings = load_settings(args.config)
        week = args.week or last_complete_week()
        parse_week(week)
        recipients = parse_recipients(args.recipients) if args.recipients else settings["recipients"]
    except (SettingsError, QueryError) as exc:
        print(f"오류 / error: {exc}", file=sys.stderr)
        return 2
    db = open_db(args.db)
    if args.log:
        for row in send_log(db, week):
            print(f"{row['week']} {row['recipient']}: {row['status']} (시도 {row['attempts']}회) {row['error'] or ''}")
        return 0
    if args.preview or not args.send:
        ctx = build_digest(db, week, region=args.region, dashboard_url=dashboard_url(settings),
                           top=settings["digest"]["top_stories"], civic=settings["digest"]["civic_statements"],
                           subject_prefix=settings["digest"]["subject_prefix"])
        if args.preview:
            out = Path(args.preview)
            try:
                if out.is_dir():
                    raise IsADirectoryError(21, "is a directory; give a file name such as digest.html", str(out))
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(preview_html(ctx), encoding="utf-8")
            except OSError as exc:
                print(f"오류 / error: 미리보기를 저장할 수 없습니다 / cannot write the preview {out}: {exc.strerror or exc}",
                      file=sys.stderr)
                return 2
            print(f"{ctx['subject']}\n미리보기 저장 / preview written: {out}")
        else:
            print(render_text(ctx))
    if not args.send:
        return 0
    if not recipients:
        print("오류 / error: 수신자가 없습니다 — add [[recipients]] to the settings or pass --recipients", file=sys.stderr)
        return 2
    try:
        smtp = smtp_from_env()
    except SettingsError as exc:
        print(f"오류 / error: {exc}", file=sys.stderr)
        return 2
    result = send_week(db, week, recipients, settings, smtp)
    for key, label in (("sent", "발송"), ("skipped", "이미 발송됨(건너뜀)"),
                       ("in_progress", f"다른 프로세스가 발송 중(건너뜀; {LEASE_MINUTES}분 안에 끝나지 않으면 다시 보낼 수 있음) "
                                       "/ being sent by another running process"),
                       ("resumed", "중단된 발송을 다시 보냄(중복 수신 가능) / resumed a send whose sender died"),
                       ("gave_up", "재시도 한도 초과(보내지 않음) / gave up after max attempts"),
                       ("failed", "실패(기록됨, 재시도 예정)")):
        if result[key]:
            print(f"{label}: {', '.join(result[key])}")
    return 1 if result["failed"] else 0
