"""Search-interest tables for `monitor.py export interest` and GET /api/v1/search-interest:
the same parameters as the trend export where they apply (from, to, by, region, shape,
format), plus group (keyword group names) and the slice (device, gender, ages).

Long form: one row per period × group as stored. Wide form: one row per period, one column
per group holding `value` (empty where nothing was fetched). Periods are Naver's own buckets
of the unit `by` names (day = date, week, month).
"""
import dataclasses

from export.params import ParamError, SHAPES, as_list, choice, date
from interest.config import AGES
from interest.store import series
from store.schema import current_version
from vocabulary import ALL_REGIONS, REGIONS

UNITS = {"day": "date", "week": "week", "month": "month"}
COLUMNS = [("period", "date"), ("group", "str"), ("region", "str"), ("unit", "str"), ("device", "str"),
           ("gender", "str"), ("ages", "str"), ("value", "float"), ("ratio", "float"), ("scale", "float"),
           ("partial", "int"), ("fetched_at", "str")]
PARAMETERS = ("from", "to", "by", "region", "group", "device", "gender", "ages", "shape")
METHOD = ("value = ratio x scale: the group's Naver searches as a percentage of the anchor group's average "
          "per period (same unit and slice) in the base window; see docs/interest.md")


@dataclasses.dataclass
class Request:
    date_from: str
    date_to: str
    by: str
    regions: list
    groups: list
    device: str
    gender: str
    ages: str
    shape: str


def parse(raw):
    date_from, date_to = date("from", raw.get("from")), date("to", raw.get("to"))
    if date_from and date_to and date_from > date_to:
        raise ParamError(f"기간 오류 / 'from' ({date_from}) is after 'to' ({date_to})")
    regions = list(dict.fromkeys(as_list(raw.get("region"))))
    bad = [r for r in regions if r not in ALL_REGIONS]
    if bad:
        raise ParamError(f"잘못된 region / invalid region: {', '.join(bad)} (allowed: {', '.join(ALL_REGIONS)})")
    ages = as_list(raw.get("ages")) or ["all"]
    if ages != ["all"] and (any(a not in AGES for a in ages) or len(set(ages)) != len(ages)):
        raise ParamError(f"잘못된 ages / invalid ages: {', '.join(ages)} (all, or 1..11 comma separated)")
    return Request(date_from, date_to, choice("by", raw.get("by"), tuple(UNITS), "day"), regions,
                   list(dict.fromkeys(as_list(raw.get("group")))),
                   choice("device", raw.get("device"), ("all", "pc", "mo"), "all"),
                   choice("gender", raw.get("gender"), ("all", "m", "f"), "all"),
                   ",".join(sorted(ages, key=int)) if ages != ["all"] else "all",
                   choice("shape", raw.get("shape"), SHAPES, "long"))


def _group_order(rows):
    """National groups first (by name), then regions in vocabulary order."""
    seen = {r["group"]: r["region"] for r in rows}
    rank = {r: i for i, r in enumerate(REGIONS)}
    return sorted(seen, key=lambda g: (seen[g] is not None, rank.get(seen[g], -1), g))


def table(db, raw):
    """(columns, rows, parameters) for the raw parameters."""
    req = parse(raw)
    rows = series(db, UNITS[req.by], req.groups or None, req.date_from, req.date_to,
                  {"device": req.device, "gender": req.gender, "ages": req.ages}, req.regions or None)
    parameters = {k: v for k, v in dataclasses.asdict(req).items()}
    if req.shape == "long":
        return COLUMNS, [{name: r[name] for name, _ in COLUMNS} for r in rows], parameters
    names = _group_order(rows)
    cells = {}
    for r in rows:
        cells.setdefault(r["period"], {})[r["group"]] = r["value"]
    wide = [{"period": p, **{g: cells[p].get(g) for g in names}} for p in sorted(cells)]
    return [("period", "date"), *[(g, "float") for g in names]], wide, parameters


def describe(db, parameters, columns, rows):
    """Metadata for the sidecar and API answers (no time: export.meta.stamp adds it)."""
    from export.meta import DICTIONARY, GENERATOR
    return {"dataset": "search-interest", "generator": GENERATOR, "data_dictionary": DICTIONARY,
            "parameters": parameters, "method": METHOD, "store_schema_version": current_version(db),
            "row_count": rows, "columns": [{"name": name, "type": kind} for name, kind in columns]}
