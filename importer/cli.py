"""`monitor.py import bigkinds|csv|jsonl FILE ...`: bring history in from files;
`monitor.py import survey FILE.csv`: awareness survey results (interest/survey.py)."""
import sys
from pathlib import Path

HELP = ("파일에서 과거 기사·설문 결과 가져오기 (BigKinds 엑셀, CSV, JSONL, 설문 CSV) / "
        "import BigKinds exports, research files and awareness survey results")
FORMATS = ("bigkinds", "csv", "jsonl", "survey")
NEXT_STEP = ("다음 단계 / next step: python monitor.py classify — 분류해야 대시보드 집계에 들어갑니다 "
             "(scheduler.py가 실행 중이면 다음 주기에 자동으로 분류합니다 / the scheduler does it on its next cycle)")


def add_arguments(parser):
    parser.add_argument("format", choices=FORMATS, help="bigkinds: BigKinds 뉴스 검색 엑셀(.xlsx, .csv); csv; jsonl; survey: 인지도 설문 결과 CSV "
                             "(date, region, question, share, n, source, url)")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--map", default=None, metavar="T=COL,...",
                        help="csv/jsonl column map, e.g. title=headline,date=publish_date,url=link,text=body,"
                             "outlet=media_name (targets: title date url text outlet author id kind)")
    parser.add_argument("--dry-run", action="store_true", help="read and check only; show the first rows as stored")
    parser.add_argument("--show", type=int, default=5, help="rows shown by --dry-run (default 5)")
    parser.add_argument("--source", default=None, help="source name of the rows (default: BigKinds / the file name)")
    parser.add_argument("--kind", default="news", choices=("news", "civic", "committee", "government"))
    parser.add_argument("--text-basis", default="auto", choices=("auto", "snippet", "full"),
                        help="how much of each article the text column holds (auto: snippet; no text: title)")
    parser.add_argument("--encoding", default="auto", help="csv/jsonl text encoding (auto: UTF-8, else CP949)")
    parser.add_argument("--classify", action="store_true", help="classify the new documents right away")
    parser.add_argument("--model", default=None, help="encoder for --classify (default: the bundled model)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def options_for(fmt, path, args):
    from importer.load import default_options
    from importer.tabular import parse_map
    options = default_options(fmt, path, kind=args.kind, text_basis=args.text_basis,
                              column_map=parse_map(args.map) or None)
    if args.source:
        options.source = args.source
    return options


def run(args):
    from importer.readers import FileError
    if args.format == "survey":
        return _surveys(args)
    if args.map and args.format == "bigkinds":
        print("오류 / error: --map은 csv와 jsonl에만 씁니다 / --map is for csv and jsonl", file=sys.stderr)
        return 2
    failed = 0
    db = None
    try:
        if not args.dry_run:
            import store
            db = store.open_db(getattr(args, "db", None))
        changed = 0
        for path in args.files:
            try:
                if args.dry_run:
                    dry_run(args.format, path, args)
                else:
                    changed += import_one(db, args.format, path, args)
            except (FileError, OSError, RuntimeError) as exc:  # this file fails; the next ones go on
                failed += 1
                print(f"오류 / error: {path}: {exc}", file=sys.stderr)
        if db is not None:
            finish(db, changed, args)
    except KeyboardInterrupt:
        print("중단됨 / interrupted: 끝난 묶음(1,000행 단위)까지 저장되었습니다. 같은 명령을 다시 실행하면 이어서 "
              "가져옵니다 / whole batches are stored; run the same command again to continue", file=sys.stderr)
        return 130
    return 1 if failed else 0


def _surveys(args):
    """Survey CSVs: each file checked row by row and stored whole, or not at all."""
    import store
    from interest.import_cli import import_survey
    db = store.open_db(getattr(args, "db", None))
    try:
        return max(import_survey(db, path) for path in args.files)
    finally:
        db.conn.close()


def import_one(db, fmt, path, args):
    """Import one file and print its summary; returns how many documents it added or changed."""
    from importer.load import import_file
    summary = import_file(db, fmt, path, options_for(fmt, path, args), args.encoding, progress=not args.no_progress)
    name = Path(path).name
    if summary["status"] == "already":
        print(f"{name}: 이미 가져온 파일입니다 ({summary['finished_at']}), 바뀐 것 없음 / already imported, nothing changed")
        return 0
    if summary.get("resumed_from"):
        print(f"{name}: 중단된 가져오기를 {summary['resumed_from']:,}행 다음부터 이어서 했습니다 / resumed")
    first, last = db.execute("SELECT MIN(pub_date), MAX(pub_date) FROM documents WHERE import_sha256 = ?",
                             [summary["sha256"]]).fetchone()
    print(f"{name}: {summary['rows']:,}행 — 새 문서 {summary['new']:,}, 기존 문서와 합침 {summary['merged']:,}, "
          f"변화 없음 {summary['unchanged']:,}, 같은 글 중복 {summary['duplicate']:,}, 분석제외 {summary['excluded']:,}, "
          f"오류 행 {summary['bad']:,}" + (f"; 기간 {first} ~ {last}" if first else ""))
    print(f"  / rows {summary['rows']}: new {summary['new']}, merged {summary['merged']}, "
          f"unchanged {summary['unchanged']}, duplicate {summary['duplicate']}, excluded {summary['excluded']}, "
          f"bad {summary['bad']}")
    return summary["new"] + summary["merged"] + summary["duplicate"]


def finish(db, changed, args):
    """Refresh the dashboard's rollups; classify now (--classify) or say how."""
    from store import rollups
    if changed and args.classify:
        from nlp.classify import classify_pending
        counts = classify_pending(db, model=args.model, progress=not args.no_progress)
        print(f"분류 / classified: {counts['classified']:,}건 (관련 {counts['relevant']:,}건)")
    elif changed:
        print(NEXT_STEP)
    if rollups.generation(db) is not None:
        rollups.refresh_if_dirty(db)


def dry_run(fmt, path, args):
    """Read the whole file without storing; print the first rows as they would be stored and the counts."""
    from importer.load import read_file
    from importer.records import BadRow, Excluded, basis, to_document
    options = options_for(fmt, path, args)
    _, records = read_file(fmt, path, options, args.encoding)
    counts = {"ok": 0, "excluded": 0, "bad": 0}
    for number, item in records:
        if isinstance(item, BadRow):
            counts["bad"] += 1
            if counts["bad"] <= 50:
                print(f"행 {number}: {item} / row {number} skipped", file=sys.stderr)
        elif isinstance(item, Excluded):
            counts["excluded"] += 1
        else:
            counts["ok"] += 1
            if counts["ok"] <= args.show:
                doc = to_document(item, options.source, options.origin_kind, Path(path).name, "-", options.text_basis)
                label = {"full": "본문 전체", "snippet": f"본문 일부({len(item.text)}자)", "title": "제목만"}
                print(f"행 {number}: {_day(item)} | "
                      f"{doc['outlet'] or '-'} | {doc['title'][:60]} | {label[basis(item, options.text_basis)]} | "
                      f"{doc['url'] or '(링크 없음)'} | id 기준 {doc['canonical_url'][:80]}")
    print(f"{Path(path).name}: 가져올 행 {counts['ok']:,}, 분석제외 {counts['excluded']:,}, 오류 행 {counts['bad']:,} "
          f"(시험 실행: 저장하지 않음 / dry run: nothing stored)")


def _day(record):
    from store.util import kst_date
    return kst_date(record.published_at)
