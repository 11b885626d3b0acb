"""Policy events as research data: `monitor.py export events` and GET /api/v1/events share
the parameters (from, to, kind, region) and the columns (docs/data-dictionary.md).
Files go through export.writers like every export (Excel-safe cells, atomic writes)."""
import sys

from events.table import KINDS, count_events, list_events
from export.meta import GENERATOR, DICTIONARY, write_sidecar
from export.params import ParamError, as_list, date, format_for
from export.targets import FORCE_HELP, check_targets
from export.writers import ExportError, write_file
from store import open_db, resolve_path
from store.schema import current_version
from vocabulary import ALL_REGIONS

COLUMNS = [("id", "int"), ("date", "date"), ("kind", "str"), ("title", "str"), ("url", "str"), ("region", "str"),
           ("source", "str"), ("external_id", "str"), ("note", "str"), ("author", "str"), ("updated_by", "str"),
           ("created_at", "str"), ("updated_at", "str")]
FILTERS = ("from", "to", "kind", "region")


def parse(raw):
    """{'date_from', 'date_to', 'kinds', 'regions'} from parameter name -> value(s)."""
    date_from, date_to = date("from", raw.get("from")), date("to", raw.get("to"))
    if date_from and date_to and date_from > date_to:
        raise ParamError(f"기간 오류 / 'from' ({date_from}) is after 'to' ({date_to})")
    out = {"date_from": date_from, "date_to": date_to}
    for name, field, allowed in (("kind", "kinds", tuple(KINDS)), ("region", "regions", ALL_REGIONS)):
        values = as_list(raw.get(name))
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ParamError(f"잘못된 {name} / invalid {name}: {', '.join(bad)} (allowed: {', '.join(allowed)})")
        out[field] = list(dict.fromkeys(values)) or None
    return out


def rows(db, filters, limit=None, offset=0):
    return [{name: e[name] for name, _ in COLUMNS} for e in list_events(db, **filters, limit=limit, offset=offset)]


def describe(db, filters, parameters, count):
    return {"dataset": "events", "generator": GENERATOR, "data_dictionary": DICTIONARY, "parameters": parameters,
            "filters": filters, "store_schema_version": current_version(db), "row_count": count,
            "columns": [{"name": name, "type": kind} for name, kind in COLUMNS]}


# ---------------------------------------------------------------- monitor.py export events

def add_arguments(parser):
    parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="first day, inclusive")
    parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last day, inclusive")
    parser.add_argument("--kind", action="append", help=f"kind(s), comma separated: {', '.join(KINDS)}")
    parser.add_argument("--region", action="append", help="region(s); 전국 = events for the whole country")
    parser.add_argument("--format", choices=("csv", "json", "parquet", "xlsx"),
                        help="default: from the --out extension, else csv")
    parser.add_argument("--out", required=True, help="output file; metadata goes to OUT.meta.json")
    parser.add_argument("--force", action="store_true", help=FORCE_HELP)


def run(args):
    try:
        fmt = format_for(args.out, args.format)
        filters = parse({"from": args.date_from, "to": args.date_to, "kind": args.kind, "region": args.region})
        db = open_db(getattr(args, "db", None))
        check_targets(args.out, resolve_path(getattr(args, "db", None)), args.force)
        stats = write_file(args.out, fmt, COLUMNS, rows(db, filters))
        sidecar = write_sidecar(args.out, describe(db, filters, {"format": fmt}, stats["rows"]))
    except (ParamError, ExportError) as exc:
        print(f"오류 / error: {exc}", file=sys.stderr)
        return 2
    print(f"내보내기 완료 / exported {stats['rows']:,} events → {args.out} (메타데이터 / metadata: {sidecar})")
    return 0


# ---------------------------------------------------------------- GET /api/v1/events

def page(db, raw, limit, offset):
    """(columns, rows, total, metadata) of one API page (export.api adds paging and format)."""
    filters = parse(raw)
    total = count_events(db, **filters)
    return COLUMNS, rows(db, filters, limit, offset), total, describe(db, filters, {}, total)
