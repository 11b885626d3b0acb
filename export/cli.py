"""`monitor.py export trends|documents|interest`: research data as CSV, JSON lines, Parquet or xlsx,
with a `<file>.meta.json` sidecar (filters, model versions, row count, export time)."""
import sys

from export import events as export_events, jobs
from export.meta import describe, write_sidecar
from export.params import FORMATS, format_for
from export.targets import FORCE_HELP, check_targets
from export.columns import METRICS
from export.writers import XLSX_MAX_ROWS, ExportError, write_file
from interest import export as interest_export
from store import open_db, resolve_path
from store.queries import GROUPS, PERIODS, QueryError, search_documents

HELP = "연구용 데이터 내보내기 / export trend tables, documents or search interest (csv, json, parquet, xlsx)"


def _filter_options(parser):
    add = parser.add_argument
    add("--from", dest="date_from", metavar="YYYY-MM-DD", help="first day, inclusive (Korean date)")
    add("--to", dest="date_to", metavar="YYYY-MM-DD", help="last day, inclusive")
    add("--region", action="append", help="region(s), comma separated or repeated, e.g. 서울,부산")
    add("--topic", action="append", help="topic id(s), e.g. budget,staffing")
    add("--sentiment", action="append", help="negative, neutral, positive")
    add("--source-kind", action="append", help="news, civic, committee, government")
    add("--outlet", action="append", help="outlet name(s)")
    add("--source", action="append", help="source name(s)")
    add("--text", help="full-text search words (all must match)")
    add("--relevance", default="relevant", choices=("relevant", "irrelevant", "all"),
        help="which documents by the relevance label (default: relevant)")
    add("--include-duplicates", action="store_true", help="also count exact copies of other URLs")
    add("--format", choices=FORMATS, help="default: from the --out extension, else csv")
    add("--out", required=True, help="output file; metadata goes to OUT.meta.json")
    add("--force", action="store_true", help=FORCE_HELP)


def add_arguments(parser):
    sub = parser.add_subparsers(dest="dataset", metavar="DATASET", required=True)
    trends = sub.add_parser("trends", help="기간×그룹별 기사 수·논조 비율 / counts and sentiment shares per period × group")
    trends.add_argument("--by", default="day", choices=tuple(PERIODS), help="period (default: day)")
    trends.add_argument("--group", action="append",
                        help=f"group(s), comma separated: {', '.join(GROUPS)} (default: none)")
    trends.add_argument("--wide", action="store_true", help="one row per period, one column per group value")
    trends.add_argument("--metric", default="articles", choices=METRICS, help="the value in wide cells (default: articles)")
    _filter_options(trends)
    interest = sub.add_parser("interest", help="네이버 검색 관심 (기준어 척도) / Naver search interest on the anchor's scale")
    _interest_options(interest)
    documents = sub.add_parser("documents", help="문서 메타데이터·라벨·점수 / document metadata, labels and scores")
    documents.add_argument("--with-text", action="store_true", help="include the body text")
    _filter_options(documents)
    export_events.add_arguments(sub.add_parser("events", help="정책 이벤트 (법률안·법령·주요 일정·메모) / policy events"))


def _interest_options(parser):
    add = parser.add_argument
    add("--from", dest="date_from", metavar="YYYY-MM-DD", help="first period, inclusive")
    add("--to", dest="date_to", metavar="YYYY-MM-DD", help="last period, inclusive")
    add("--by", default="day", choices=tuple(interest_export.UNITS), help="Naver's time unit (default: day)")
    add("--region", action="append", help="region(s) of the keyword groups, e.g. 서울,부산")
    add("--group", action="append", help="keyword group name(s), e.g. 자치경찰제")
    add("--device", default="all", choices=("all", "pc", "mo"), help="device slice (default: all)")
    add("--gender", default="all", choices=("all", "m", "f"), help="gender slice (default: all)")
    add("--ages", default="all", help="age slice: all, or bands 1..11 comma separated as fetched, e.g. 3,4")
    add("--wide", action="store_true", help="one row per period, one column per group")
    add("--format", choices=FORMATS, help="default: from the --out extension, else csv")
    add("--out", required=True, help="output file; metadata goes to OUT.meta.json")


def raw_parameters(args):
    """The command-line options under the parameter names the API uses."""
    if args.dataset == "interest":
        return {"from": args.date_from, "to": args.date_to, "by": args.by, "region": args.region,
                "group": args.group, "device": args.device, "gender": args.gender, "ages": args.ages,
                "shape": "wide" if args.wide else "long"}
    raw = {"from": args.date_from, "to": args.date_to, "region": args.region, "topic": args.topic,
           "sentiment": args.sentiment, "source_kind": args.source_kind, "outlet": args.outlet,
           "source": args.source, "q": args.text, "relevance": args.relevance,
           "include_duplicates": args.include_duplicates}
    if args.dataset == "trends":
        raw.update(by=args.by, group=args.group, shape="wide" if args.wide else "long", metric=args.metric)
    else:
        raw["with_text"] = args.with_text
    return raw


def run(args):
    if args.dataset == "events":
        return export_events.run(args)
    try:
        fmt = format_for(args.out, args.format)
        db = open_db(getattr(args, "db", None))
        raw = raw_parameters(args)
        if args.dataset == "interest":
            return _export_interest(db, raw, args.out, fmt)
        if args.dataset == "trends":
            columns, rows, filters, parameters = jobs.trends(db, raw)
        else:
            columns, rows, filters, parameters = jobs.documents(db, raw)
            if fmt == "xlsx" and search_documents(db, filters, limit=0)[1] > XLSX_MAX_ROWS:
                raise ExportError(f"xlsx는 최대 {XLSX_MAX_ROWS:,}행 / too many documents for one xlsx sheet "
                                  f"({XLSX_MAX_ROWS:,} at most); use csv or parquet, or narrow the filters")
        check_targets(args.out, resolve_path(getattr(args, "db", None)), args.force)
        stats = write_file(args.out, fmt, columns, rows)
        meta = describe(db, args.dataset, filters, {**parameters, "format": fmt}, columns, stats["rows"])
        if stats.get("truncated_cells"):
            meta["truncated_cells"] = stats["truncated_cells"]
        sidecar = write_sidecar(args.out, meta)
    except (QueryError, ExportError) as exc:
        print(f"오류 / error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the sidecar could not be written
        print(f"오류 / error: cannot write {exc.filename or args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"내보내기 완료 / exported {stats['rows']:,} rows → {args.out} (메타데이터 / metadata: {sidecar})")
    if stats.get("truncated_cells"):
        print(f"주의 / note: {stats['truncated_cells']} cells longer than Excel's limit were cut", file=sys.stderr)
    return 0


def _export_interest(db, raw, out, fmt):
    columns, rows, parameters = interest_export.table(db, raw)
    stats = write_file(out, fmt, columns, rows)
    sidecar = write_sidecar(out, interest_export.describe(db, {**parameters, "format": fmt}, columns, stats["rows"]))
    print(f"내보내기 완료 / exported {stats['rows']:,} rows → {out} (메타데이터 / metadata: {sidecar})")
    return 0
