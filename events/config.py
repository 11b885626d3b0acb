"""config/events.toml: what the collectors ask for ([assembly], [law]) and the milestones
([[milestone]] blocks). Mistakes raise ConfigError with file:line and the fix."""
import datetime as dt
import os
import re
from pathlib import Path

from config_lines import read_toml
from events.table import EventError, MAX_NOTE, MAX_TITLE, check_date, check_region, check_url, clean_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config" / "events.toml"
DEFAULTS = {
    "assembly": {"url": "https://open.assembly.go.kr/portal/openapi/", "ages": [21, 22], "bill_names": ["자치경찰"],
                 "page_size": 100, "timeout": 20},
    "law": {"url": "https://www.law.go.kr/DRF/", "site": "https://www.law.go.kr", "targets": ["eflaw"],
            "names": ["국가경찰과 자치경찰의 조직 및 운영에 관한 법률"], "timeout": 20},
}
MILESTONE_KEYS = ("id", "date", "title", "url", "region", "note")


def _text_list(v):
    return isinstance(v, list) and bool(v) and all(isinstance(x, str) and x.strip() for x in v)


def _whole(v, low, high):
    return isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


# section -> key -> (check, what a valid value looks like)
CHECKS = {
    "assembly": {
        "url": (lambda v: check_url(v, strict=False) is not None, 'an http(s) address ending in "/openapi/"'),
        "ages": (lambda v: isinstance(v, list) and bool(v) and all(_whole(x, 1, 99) for x in v),
                 "a list of assembly numbers (대수), e.g. [21, 22]"),
        "bill_names": (_text_list, 'a list of words in bill names, e.g. ["자치경찰"]'),
        "page_size": (lambda v: _whole(v, 1, 1000), "a whole number from 1 to 1000"),
        "timeout": (lambda v: _whole(v, 1, 300), "seconds, a whole number from 1 to 300"),
    },
    "law": {
        "url": (lambda v: check_url(v, strict=False) is not None, 'an http(s) address ending in "/DRF/"'),
        "site": (lambda v: check_url(v, strict=False) is not None, "an http(s) address for the links"),
        "targets": (lambda v: _text_list(v) and all(x in ("law", "eflaw") for x in v), '["eflaw"], ["law"] or both'),
        "names": (_text_list, "a list of exact law names (법령명)"),
        "timeout": (lambda v: _whole(v, 1, 300), "seconds, a whole number from 1 to 300"),
    },
}


class ConfigError(ValueError):
    """A problem in config/events.toml, with file:line."""


def where(path, text, section, index=0, key=None):
    """'file:line' of `key` in the index-th [section] / [[section]] block (or of its header)."""
    seen, inside = -1, False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.strip("[] \t").split("#")[0].strip() == section
            if inside:
                seen += 1
                if key is None and seen == index:
                    return f"{path}:{number}"
        elif inside and seen == index and key and re.match(rf'"?{re.escape(key)}"?\s*=', stripped):
            return f"{path}:{number}"
    return str(path)


def load(path=None):
    """The checked config: {'assembly': {...}, 'law': {...}, 'milestones': [event dicts], 'path'}."""
    path = Path(path or os.environ.get("MONITOR_EVENTS_CONFIG") or DEFAULT_CONFIG)
    text, raw = read_toml(path, ConfigError, "events config")
    config = {section: dict(values) for section, values in DEFAULTS.items()}
    for section, values in raw.items():
        if section == "milestone":
            continue
        if section not in DEFAULTS:
            raise ConfigError(f"{where(path, text, section)}: unknown section [{section}] "
                              f"(known: {', '.join(DEFAULTS)}, [[milestone]])")
        for key, value in values.items():
            spot = f"{where(path, text, section, key=key)}: [{section}] {key}"
            if key not in CHECKS[section]:
                raise ConfigError(f"{spot}: unknown setting (known: {', '.join(CHECKS[section])})")
            check, expected = CHECKS[section][key]
            if not check(value):
                raise ConfigError(f"{spot} must be {expected}, not {value!r}")
            config[section][key] = value
    milestones = raw.get("milestone", [])
    if not isinstance(milestones, list):
        raise ConfigError(f"{where(path, text, 'milestone')}: write milestones as [[milestone]] blocks")
    config["milestones"] = _milestones(path, text, milestones)
    config["path"] = str(path)
    return config


def _milestones(path, text, blocks):
    out, ids = [], {}
    for index, block in enumerate(blocks):
        spot = lambda key=None: where(path, text, "milestone", index, key)  # noqa: E731
        unknown = sorted(set(block) - set(MILESTONE_KEYS))
        if unknown:
            raise ConfigError(f"{spot(unknown[0])}: unknown key {unknown[0]!r} in [[milestone]] "
                              f"(known: {', '.join(MILESTONE_KEYS)})")
        for key in ("date", "title", "url"):
            if key not in block:
                raise ConfigError(f"{spot()}: [[milestone]] needs {key} (every milestone has a date, a title "
                                  "and the public page that states it)")

        def field(key, check, *args):
            try:
                return check(block.get(key), *args)
            except EventError as exc:
                raise ConfigError(f"{spot(key)}: [[milestone]] {key}: {exc}") from None

        if isinstance(block["date"], dt.datetime) or not isinstance(block["date"], (dt.date, str)):
            raise ConfigError(f"{spot('date')}: [[milestone]] date must be a date such as 2021-07-01, "
                              f"not {block['date']!r}")
        event = {"date": field("date", check_date), "kind": "milestone",
                 "title": field("title", clean_text, MAX_TITLE, "title", True),
                 "url": field("url", check_url), "region": field("region", check_region),
                 "note": field("note", clean_text, MAX_NOTE, "note")}
        if not event["url"]:
            raise ConfigError(f"{spot('url')}: [[milestone]] url is empty: give the public page that states it")
        event["external_id"] = str(block.get("id") or f"{event['date']} {event['title']}")
        if event["external_id"] in ids:
            raise ConfigError(f"{spot()}: the same milestone is listed twice (first at {ids[event['external_id']]})")
        ids[event["external_id"]] = spot()
        out.append(event)
    return out
