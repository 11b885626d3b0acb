"""The [interest] section of config/settings.toml: keyword groups, the anchor group, the
base window of the scale, units, slices and the daily quota, checked with file:line.

`check_section` is called by digest/settings.py while the settings file is loaded (so a
typo stops `scheduler.py` at start, like every other section); `InterestConfig.from_settings`
turns the checked section into what the collector needs.
"""
import dataclasses
import datetime as dt
import re

from vocabulary import ALL_REGIONS

API_URL = "https://openapi.naver.com/v1/datalab/search"
FIRST_DAY = "2016-01-01"            # DataLab has data from this day on
UNITS = ("date", "week", "month")
DEVICES, GENDERS = ("pc", "mo"), ("m", "f")
AGES = tuple(str(n) for n in range(1, 12))  # 1 = 0–12, 2 = 13–18, 3 = 19–24, 4 = 25–29, 5-year bands, 11 = 60+
MAX_GROUPS = 5                      # keyword groups per request (the anchor is one of them)
MAX_KEYWORDS = 20                   # keywords per group
DEFAULTS = {
    "url": API_URL, "since": "2021-01-01", "base_start": "2021-07-01", "base_end": "2021-07-31",
    "units": ["date", "week", "month"], "slices": ["all"], "daily_quota": 1000, "min_anchor": 0.5,
    "time": "06:45", "anchor_name": "기준어", "anchor": [], "groups": [],
}


class ConfigError(ValueError):
    """A wrong [interest] value; digest/settings.py turns it into a SettingsError."""


def parse_slice(text):
    """'all' | 'device:mo' | 'gender:f' | 'ages:3,4' | 'device:mo+gender:f' -> {'device', 'gender', 'ages'}
    with 'all' for a dimension not filtered (ages as a comma list). ConfigError when malformed."""
    out = {"device": "all", "gender": "all", "ages": "all"}
    if text == "all":
        return out
    for part in str(text).split("+"):
        key, _, value = part.partition(":")
        allowed = {"device": DEVICES, "gender": GENDERS, "ages": AGES}.get(key)
        values = value.split(",") if key == "ages" else [value]
        if allowed is None or not value or out[key] != "all" or any(v not in allowed for v in values) \
                or len(set(values)) != len(values):
            raise ConfigError(f"slice {text!r}: use all, device:pc|mo, gender:m|f, ages:1..11 (comma list), "
                              f"joined by + (e.g. device:mo+gender:f)")
        out[key] = ",".join(sorted(values, key=int)) if key == "ages" else value
    return out


def slice_name(parts):
    """{'device': 'mo', 'gender': 'all', ...} -> 'device:mo' (the inverse of parse_slice)."""
    named = [f"{k}:{parts[k]}" for k in ("device", "gender", "ages") if parts[k] != "all"]
    return "+".join(named) or "all"


def _day(value):
    return isinstance(value, str) and bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and _iso(value)


def _iso(value):
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _keywords(where, name, keywords):
    if not isinstance(keywords, list) or not 1 <= len(keywords) <= MAX_KEYWORDS \
            or not all(isinstance(k, str) and k.strip() for k in keywords):
        raise ConfigError(f"{where}: group {name!r} needs keywords = [\"…\", …] with 1 to {MAX_KEYWORDS} "
                          f"non-empty words (a DataLab limit)")
    if len(set(keywords)) != len(keywords):
        raise ConfigError(f"{where}: group {name!r} repeats a keyword")


def check_groups(where, groups, anchor_name):
    """groups = [{ name = "…", keywords = [...], region = "서울" (optional) }, ...]."""
    if not isinstance(groups, list) or not groups:
        raise ConfigError(f"{where}: groups must be a list of {{ name = \"…\", keywords = [\"…\"], "
                          f"region = \"서울\" (optional) }}, at least one")
    seen = set()
    for entry in groups:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise ConfigError(f"{where}: every group needs a name = \"…\" (got {entry!r:.80})")
        name = entry["name"]
        unknown = set(entry) - {"name", "keywords", "region"}
        if unknown:
            raise ConfigError(f"{where}: group {name!r}: unknown key(s) {', '.join(sorted(unknown))} "
                              f"(known: name, keywords, region)")
        if name in seen or name == anchor_name:
            raise ConfigError(f"{where}: group name {name!r} is used twice (names must differ from each "
                              f"other and from anchor_name)")
        seen.add(name)
        _keywords(where, name, entry.get("keywords"))
        region = entry.get("region")
        if region is not None and region not in ALL_REGIONS:
            raise ConfigError(f"{where}: group {name!r}: unknown region {region!r} (use one of {', '.join(ALL_REGIONS)})")


# key -> (check, what a valid value looks like) for the simple keys
SIMPLE = {
    "url": (lambda v: isinstance(v, str) and v.startswith(("http://", "https://")),
            "an http(s) URL such as " + API_URL),
    "since": (lambda v: _day(v) and v >= FIRST_DAY, f'a date such as "2021-01-01", not before {FIRST_DAY}'),
    "base_start": (lambda v: _day(v) and v >= FIRST_DAY, f'a date such as "2021-07-01", not before {FIRST_DAY}'),
    "base_end": (lambda v: _day(v), 'a date such as "2021-07-31"'),
    "units": (lambda v: isinstance(v, list) and v and all(u in UNITS for u in v) and len(set(v)) == len(v),
              f"a list of {', '.join(UNITS)} (each at most once)"),
    "daily_quota": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
                    "a whole number of calls, at least 1 (DataLab allows 1,000 a day)"),
    "min_anchor": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < 100,
                   "a ratio above 0 and below 100, e.g. 0.5"),
    "anchor_name": (lambda v: isinstance(v, str) and v.strip(), "a group name in quotes"),
}


def check_section(values, where):
    """Check a raw [interest] table. `where(key)` gives 'file:line' of a key; raises ConfigError."""
    for key, value in values.items():
        if key not in DEFAULTS:
            raise ConfigError(f"{where(key)}: [interest] {key}: unknown setting (known: {', '.join(DEFAULTS)})")
        if key in SIMPLE and not SIMPLE[key][0](value):
            raise ConfigError(f"{where(key)}: [interest] {key} must be {SIMPLE[key][1]}, not {value!r}")
        if key == "time" and not (isinstance(value, str) and re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value)):
            raise ConfigError(f"{where(key)}: [interest] time must be a time such as \"06:30\", not {value!r}")
        if key == "slices":
            if not isinstance(value, list) or not value:
                raise ConfigError(f"{where(key)}: [interest] slices must be a list such as [\"all\", \"device:mo\"]")
            for text in value:
                try:
                    parse_slice(text)
                except ConfigError as exc:
                    raise ConfigError(f"{where(key)}: [interest] {exc}") from None
    merged = {**DEFAULTS, **values}
    if merged["since"] > merged["base_start"]:
        raise ConfigError(f"{where('since')}: [interest] since ({merged['since']}) must not be after base_start "
                          f"({merged['base_start']}): every daily run must cover the base window")
    if merged["base_start"] > merged["base_end"]:
        raise ConfigError(f"{where('base_end')}: [interest] base_end ({merged['base_end']}) is before "
                          f"base_start ({merged['base_start']})")
    if "anchor" in values:
        _keywords(f"{where('anchor')}: [interest] anchor", merged["anchor_name"], values["anchor"])
    if "groups" in values:
        check_groups(f"{where('groups')}: [interest]", values["groups"], merged["anchor_name"])


@dataclasses.dataclass(frozen=True)
class Group:
    name: str
    keywords: tuple
    region: str = None


@dataclasses.dataclass(frozen=True)
class InterestConfig:
    url: str
    since: str
    base: tuple        # (first, last day) of the window where the anchor's mean is 100
    units: tuple
    slices: tuple      # slice names as written ('all', 'device:mo', ...)
    daily_quota: int
    min_anchor: float
    time: str
    anchor: Group
    groups: tuple

    @classmethod
    def from_settings(cls, settings):
        s = {**DEFAULTS, **(settings.get("interest") or {})}
        return cls(url=s["url"], since=s["since"], base=(s["base_start"], s["base_end"]), units=tuple(s["units"]),
                   slices=tuple(s["slices"]), daily_quota=s["daily_quota"], min_anchor=float(s["min_anchor"]),
                   time=s["time"], anchor=Group(s["anchor_name"], tuple(s["anchor"]), None),
                   groups=tuple(Group(g["name"], tuple(g["keywords"]), g.get("region")) for g in s["groups"]))

    @property
    def configured(self):
        return bool(self.anchor.keywords and self.groups)

    def region_of(self, name):
        return next((g.region for g in self.groups if g.name == name), None)

    def groups_for(self, regions=None):
        """The groups a region filter selects: those regions' groups, or the national
        groups (no region, or 전국) when no region is chosen."""
        if regions:
            return [g for g in self.groups if g.region in regions]
        return [g for g in self.groups if g.region in (None, "전국")]
