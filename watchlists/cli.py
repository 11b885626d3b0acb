"""`monitor.py watchlist add|list|show|alert|delete`: saved searches followed on the 관심 목록 tab."""
import json
import sys

from store import open_db
from store.errors import QueryError
from store.queries import PERIODS
from watchlists import table, trend

HELP = "관심 목록(저장한 검색어·필터)의 추가·목록·추이·알림·삭제 / saved watchlists: add, list, trend, alert, delete"
FILTER_OPTIONS = {"region": "지역", "topic": "주제 (budget, staffing …)", "sentiment": "논조 (negative, neutral, positive)",
                  "source_kind": "출처 유형 (news, civic, committee, government)", "outlet": "매체·기관"}


def add_arguments(parser):
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="관심 목록 추가 / save a watchlist")
    add.add_argument("name", help="이름 / name")
    add.add_argument("query", nargs="?", default="", help='검색식 (예: "예산 OR 인력 -경찰국") / search text')
    for key, what in FILTER_OPTIONS.items():
        add.add_argument(f"--{key.replace('_', '-')}", dest=key, action="append", help=f"{what}; repeatable")
    add.add_argument("--alert", action="store_true", help="급증 시 메일 알림 / mail when it spikes")
    add.add_argument("--recipients", help="알림 받을 주소 (쉼표로 구분, 비우면 주간 메일 수신자) / alert addresses")

    sub.add_parser("list", help="관심 목록 / list watchlists").add_argument("--json", action="store_true")

    show = sub.add_parser("show", help="추이와 최근 기사 / trend and latest documents")
    show.add_argument("name", help="이름 또는 번호 / name or id")
    show.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    show.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    show.add_argument("--by", choices=tuple(PERIODS), default="day")
    show.add_argument("--json", action="store_true", help="one JSON object per period")

    alert = sub.add_parser("alert", help="급증 알림 켜기·끄기 / turn the spike alert on or off")
    alert.add_argument("name", help="이름 또는 번호 / name or id")
    alert.add_argument("--off", action="store_true", help="알림 끄기 / turn it off")
    alert.add_argument("--recipients", help="알림 받을 주소 (쉼표로 구분) / alert addresses")

    sub.add_parser("delete", help="관심 목록 삭제 / delete a watchlist").add_argument("name", help="이름 또는 번호 / name or id")


def run(args):
    db = open_db(getattr(args, "db", None))
    try:
        return ACTIONS[args.action](db, args)
    except QueryError as exc:  # bad name, search text, filter, address or date
        print(f"오류 / error: {exc}", file=sys.stderr)
        return 2
    finally:
        db.conn.close()


def _line(wl):
    alert = f" · 알림 켜짐 ({', '.join(wl['recipients']) or '주간 메일 수신자'})" if wl["alert"] else ""
    return f"{wl['id']:>4}  {wl['name']}  —  {table.describe(wl['query'], wl['filters'])}{alert}"


def _add(db, args):
    filters = {key: getattr(args, key) for key in FILTER_OPTIONS if getattr(args, key)}
    wl = table.add(db, args.name, args.query, filters, alert=args.alert, recipients=args.recipients)
    print(f"저장했습니다 / saved:\n{_line(wl)}")
    return 0


def _list(db, args):
    rows = table.all_watchlists(db)
    if args.json:
        for wl in rows:
            print(json.dumps({k: wl[k] for k in ("id", "name", "query", "filters", "alert", "created_at")},
                             ensure_ascii=False))
    elif not rows:
        print("관심 목록이 없습니다. 추가: python monitor.py watchlist add 이름 \"검색식\"")
    for wl in [] if args.json else rows:
        print(_line(wl))
    return 0


def _show(db, args):
    from export.params import date
    wl = table.get(db, args.name)
    start, end = trend.default_range(db, date("from", args.date_from), date("to", args.date_to))
    rows = trend.trend(db, wl, args.by, start, end)
    if args.json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
        return 0
    total = trend.totals(db, wl, start, end)
    print(_line(wl))
    print(f"기간 {start} ~ {end}: 기사 {total['articles']:,}건, 기사 묶음 {total['stories']:,}건, "
          f"부정 비율 {_share(total)}")
    print(f"{'기간':<12}{'기사':>6}{'묶음':>6}  부정 비율 (논조 분류 건수)")
    for r in rows:
        print(f"{r['period'] + ('*' if r['partial'] else ''):<12}{r['articles']:>6}{r['stories']:>6}  {_share(r)}")
    print("최근 기사:")
    for d in trend.latest(db, wl, start, end):
        print(f"  {(d['published_at'] or '')[:10]}  {d['outlet'] or '-'}  {d['title'] or '(제목 없음)'}")
    return 0


def _share(row):
    if not row["labelled"]:
        return "- (0건)"
    return (f"{row['negative'] / row['labelled']:.0%} ({row['labelled']:,}건 중 {row['negative']:,}건, "
            f"95% 구간 {row['negative_ci_low']:.0%}–{row['negative_ci_high']:.0%})")


def _alert(db, args):
    wl = table.update(db, args.name, alert=not args.off, recipients=args.recipients)
    print(f"{'알림을 껐습니다' if args.off else '알림을 켰습니다'} / alert {'off' if args.off else 'on'}:\n{_line(wl)}")
    return 0


def _delete(db, args):
    wl = table.delete(db, args.name)
    print(f"삭제했습니다 / deleted: {wl['name']}")
    return 0


ACTIONS = {"add": _add, "list": _list, "show": _show, "alert": _alert, "delete": _delete}
