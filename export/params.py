"""Turn user parameters (command-line options or URL query values) into checked values.

The command and the API share these names: from, to, region, topic, sentiment,
source_kind, outlet, source, q, relevance, include_duplicates, by, group, shape, metric,
format, with_text. Lists are comma separated and/or repeated.
"""
import datetime as dt
import re

from export.columns import METRICS
from vocabulary import ALL_REGIONS, SENTIMENTS, SOURCE_KINDS, TOPICS
from store.queries import GROUPS, PERIODS, Filters, QueryError

FORMATS = ("csv", "json", "parquet", "xlsx")
EXTENSIONS = {".csv": "csv", ".json": "json", ".jsonl": "json", ".parquet": "parquet", ".xlsx": "xlsx"}
SHAPES = ("long", "wide")
FILTER_KEYS = ("from", "to", "region", "topic", "sentiment", "source_kind", "outlet", "source",
               "q", "relevance", "include_duplicates")
# list parameter -> (Filters field, allowed values or None for free text)
LIST_FILTERS = {
    "region": ("regions", ALL_REGIONS), "topic": ("topics", tuple(TOPICS)),
    "sentiment": ("sentiments", SENTIMENTS), "source_kind": ("source_kinds", SOURCE_KINDS),
    "outlet": ("outlets", None), "source": ("sources", None),
}
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


class ParamError(QueryError):
    """A parameter the user got wrong; the message says which and what is allowed."""


def reject_unknown(raw, allowed):
    """ParamError naming the parameters of `raw` that are not in `allowed`."""
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise ParamError(f"알 수 없는 매개변수 / unknown parameter(s): {', '.join(unknown)} "
                         f"(allowed: {', '.join(sorted(allowed))})")


def as_list(value):
    """'a,b' or ['a', 'b,c'] -> ['a', 'b', 'c'] (blanks dropped); None -> []."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def one(value):
    """The single value of a parameter (the last one if repeated)."""
    if isinstance(value, (list, tuple)):
        return value[-1] if value else None
    return value


def choice(name, value, allowed, default=None):
    value = one(value)
    if value in (None, ""):
        return default
    if value not in allowed:
        raise ParamError(f"잘못된 {name} / invalid {name}: {value!r} (allowed: {', '.join(allowed)})")
    return value


def flag(name, value):
    value = one(value)
    text = str(value or "").strip().lower()  # True and False read as 'true' and ''
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ParamError(f"잘못된 {name} / invalid {name}: {value!r} (use true or false)")


def date(name, value):
    value = one(value)
    if value in (None, ""):
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
            raise ValueError
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ParamError(f"잘못된 날짜 / invalid date for {name}: {value!r} (use YYYY-MM-DD)") from None


def integer(name, value, default, low, high):
    value = one(value)
    if value in (None, ""):
        return default
    try:
        number = int(str(value))
    except ValueError:
        raise ParamError(f"잘못된 {name} / invalid {name}: {value!r} (a whole number)") from None
    if not low <= number <= high:
        raise ParamError(f"잘못된 {name} / {name} must be between {low} and {high}, not {number}")
    return number


def parse_filters(raw):
    """Filters from a mapping of parameter name -> string or list of strings."""
    date_from, date_to = date("from", raw.get("from")), date("to", raw.get("to"))
    if date_from and date_to and date_from > date_to:
        raise ParamError(f"기간 오류 / 'from' ({date_from}) is after 'to' ({date_to})")
    fields = {}
    for name, (field, allowed) in LIST_FILTERS.items():
        values = as_list(raw.get(name))
        bad = [v for v in values if allowed is not None and v not in allowed]
        if bad:
            raise ParamError(f"잘못된 {name} / invalid {name}: {', '.join(bad)} (allowed: {', '.join(allowed)})")
        fields[field] = list(dict.fromkeys(values)) or None
    text = one(raw.get("q"))
    return Filters(date_from=date_from, date_to=date_to, text=(text or "").strip() or None,
                   relevance=choice("relevance", raw.get("relevance"), ("relevant", "irrelevant", "all"), "relevant"),
                   include_duplicates=flag("include_duplicates", raw.get("include_duplicates")), **fields)


def parse_trend_options(raw):
    """(by, groups, shape, metric) for a trend export."""
    by = choice("by", raw.get("by"), tuple(PERIODS), "day")
    groups = as_list(raw.get("group"))
    bad = [g for g in groups if g not in GROUPS]
    if bad:
        raise ParamError(f"잘못된 group / invalid group: {', '.join(bad)} (allowed: {', '.join(GROUPS)})")
    if len(set(groups)) != len(groups):
        raise ParamError(f"group이 중복됨 / a group is repeated: {', '.join(groups)}")
    shape = choice("shape", raw.get("shape"), SHAPES, "long")
    metric = choice("metric", raw.get("metric"), tuple(METRICS), "articles")
    if shape == "wide" and not groups:
        raise ParamError("wide 형식에는 group이 필요합니다 / the wide shape needs at least one group")
    return by, groups, shape, metric


def format_for(path, fmt=None):
    """The export format: given explicitly, else from the file extension, else csv."""
    if fmt:
        return choice("format", fmt, FORMATS)
    suffix = str(path).lower()
    return next((f for ext, f in EXTENSIONS.items() if suffix.endswith(ext)), "csv")
