"""`monitor.py events fetch|add|edit|list|delete`: collect policy events, manage staff notes."""
import getpass
import json
import sys

from events import table
from events.collect import describe, fetch_all
from store import open_db

HELP = "정책 이벤트(법률안·법령 개정·주요 일정·담당자 메모) 수집과 관리 / policy events on the timelines"


def add_arguments(parser):
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    fetch = sub.add_parser("fetch", help="국회·법령 API와 config/events.toml에서 이벤트 수집 / run the collectors")
    fetch.add_argument("--config", help="events config (default: config/events.toml)")
    fetch.add_argument("--only", action="append", choices=("milestones", "assembly", "lawinfo"),
                       help="run only these collectors (repeatable)")
    fetch.add_argument("--assembly-url", help="National Assembly open API base URL (default from the config)")
    fetch.add_argument("--law-url", help="law information API base URL (default from the config)")

    add = sub.add_parser("add", help="담당자 메모 추가 / add a staff note")
    add.add_argument("date", help="YYYY-MM-DD")
    add.add_argument("title", help="한 줄 제목 / one-line title")
    _note_options(add)

    edit = sub.add_parser("edit", help="담당자 메모 고치기 / edit a staff note")
    edit.add_argument("id", type=int)
    edit.add_argument("--date", help="YYYY-MM-DD")
    edit.add_argument("--title")
    _note_options(edit)

    listing = sub.add_parser("list", help="이벤트 목록 / list events")
    listing.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    listing.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    listing.add_argument("--kind", action="append", choices=tuple(table.KINDS), help="repeatable")
    listing.add_argument("--region", action="append", help="지역 (전국 = no region); repeatable")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")

    delete = sub.add_parser("delete", help="담당자 메모 삭제 / delete a staff note")
    delete.add_argument("id", type=int)


def _note_options(parser):
    parser.add_argument("--region", help="지역 (비우면 전국) / region, empty for the whole country")
    parser.add_argument("--url", help="관련 주소 / a related http(s) link")
    parser.add_argument("--note", help="메모 / a longer note")
    parser.add_argument("--author", help="작성자 이름 (기본: 로그인 사용자) / author (default: the login name)")


def _author(args):
    if args.author:
        return args.author
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def _line(e):
    where = f" [{e['region']}]" if e["region"] else ""
    who = f" ({e['author']}" + (f", 수정 {e['updated_by']}" if e.get("updated_by") not in (None, e["author"]) else "") + ")" \
        if e.get("author") else ""
    return f"{e['id']:>5}  {e['date']}  {table.KINDS[e['kind']]:<6} {e['title']}{where}{who}" + (
        f"\n       {e['url']}" if e["url"] else "")


def run(args):
    db = open_db(getattr(args, "db", None))
    try:
        return ACTIONS[args.action](db, args)
    except table.EventError as exc:
        print(f"오류 / error: {exc}", file=sys.stderr)
        return 2
    finally:
        db.conn.close()


def _fetch(db, args):
    endpoints = {k: v for k, v in (("assembly_url", args.assembly_url), ("law_url", args.law_url)) if v}
    summaries = fetch_all(db, args.config, endpoints, only=args.only, log_each=False)
    for summary in summaries:
        print(describe(summary))
    return 1 if any(s["status"] == "error" for s in summaries) else 0


def _add(db, args):
    event_id = table.add_note(db, args.date, args.title, _author(args), args.region, args.url, args.note)
    print(f"추가했습니다 / added staff note {event_id}:\n{_line(table.get(db, event_id))}")
    return 0


def _edit(db, args):
    changes = {"date": args.date, "title": args.title, "region": args.region, "url": args.url, "note": args.note}
    row = table.update_note(db, args.id, _author(args), **changes)
    print(f"고쳤습니다 / updated staff note {args.id}:\n{_line(row)}")
    return 0


def _list(db, args):
    for name, value in (("--from", args.date_from), ("--to", args.date_to)):
        if value:
            table.check_date(value, name)
    for region in args.region or []:
        table.check_region(region)
    rows = table.list_events(db, args.date_from, args.date_to, args.kind, args.region)
    for e in rows:
        print(json.dumps(e, ensure_ascii=False) if args.json else _line(e))
    if not args.json:
        print(f"{len(rows)}건 / events", file=sys.stderr)
    return 0


def _delete(db, args):
    row = table.delete_note(db, args.id)
    print(f"삭제했습니다 / deleted staff note {args.id}: {row['date']} {row['title']}")
    return 0


ACTIONS = {"fetch": _fetch, "add": _add, "edit": _edit, "list": _list, "delete": _delete}
