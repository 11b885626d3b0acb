"""Service settings: config/settings.toml (schedule, dashboard, recipients, spikes) and the
SMTP settings from environment variables. Bad values raise SettingsError naming the fix."""
import dataclasses
import os
import re
from pathlib import Path

from interest.config import DEFAULTS as INTEREST_DEFAULTS, ConfigError, check_section as check_interest
from config_lines import read_toml, where as _where
from nlp.precision import PRECISIONS
from vocabulary import ALL_REGIONS

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SETTINGS = ROOT / "config" / "settings.toml"
DEFAULTS = {
    "schedule": {"timezone": "Asia/Seoul", "crawl_every_hours": 3, "digest_day": "mon",
                 "digest_time": "08:00", "spike_check_time": "07:30", "digest_retry_minutes": 30,
                 "misfire_grace_minutes": 60},
    "dashboard": {"host": "127.0.0.1", "port": 8050, "public_url": ""},
    "digest": {"subject_prefix": "[자치경찰 언론 모니터]", "top_stories": 5, "civic_statements": 8,
               "max_attempts": 8},
    "recipients": [],
    "spikes": {"alert_email": False, "alert_z": 4.0, "alert_min_hours": 12},
    "backup": {"folder": "backups", "time": "03:30", "keep_daily": 7, "keep_weekly": 4, "keep_monthly": 12},
    "health": {"max_cycle_age_hours": 7, "max_backup_age_hours": 48, "min_free_mb": 1024},
    "classifier": {"precision": "auto"},
    "interest": dict(INTEREST_DEFAULTS),
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# section -> key -> (check, what a valid value looks like). Other keys: numbers in [spikes],
# text elsewhere.
CHECKS = {
    "schedule": {
        "timezone": (lambda v: _timezone(v), "a time zone name such as Asia/Seoul"),
        "crawl_every_hours": (lambda v: _number(v) and v > 0, "a number of hours above 0, e.g. 3"),
        "digest_day": (lambda v: v in WEEKDAYS, f"one of {', '.join(WEEKDAYS)}"),
        "digest_time": (lambda v: _time(v), 'a time such as "08:00"'),
        "spike_check_time": (lambda v: _time(v), 'a time such as "07:30"'),
        "digest_retry_minutes": (lambda v: _whole(v) and v >= 1, "a whole number of minutes, at least 1"),
        "misfire_grace_minutes": (lambda v: _whole(v) and v >= 0, "a whole number of minutes, 0 or more"),
    },
    "dashboard": {"port": (lambda v: _whole(v) and 1 <= v <= 65535, "a port number from 1 to 65535")},
    "digest": {key: (lambda v: _whole(v) and v >= 1, "a whole number, at least 1")
               for key in ("top_stories", "civic_statements", "max_attempts")},
    "spikes": {"alert_email": (lambda v: isinstance(v, bool), "true or false")},
    "backup": {"time": (lambda v: _time(v), 'a time such as "03:30"'),
               "keep_daily": (lambda v: _whole(v) and v >= 1, "a whole number, at least 1"),
               **{key: (lambda v: _whole(v) and v >= 0, "a whole number, 0 or more")
                  for key in ("keep_weekly", "keep_monthly")}},
    "health": {key: (lambda v: _number(v) and v > 0, "a number above 0")
               for key in ("max_cycle_age_hours", "max_backup_age_hours", "min_free_mb")},
    "classifier": {"precision": (lambda v: v in PRECISIONS, f"one of {', '.join(PRECISIONS)}")},
}


class SettingsError(ValueError):
    """A configuration problem explained so an operator can fix it."""


def load_settings(path=None):
    path = Path(path or os.environ.get("MONITOR_SETTINGS") or DEFAULT_SETTINGS)
    text, raw = read_toml(path, SettingsError, "settings")
    settings = {key: (dict(value) if isinstance(value, dict) else value) for key, value in DEFAULTS.items()}
    for key, value in raw.items():
        if key not in DEFAULTS:
            raise SettingsError(f"{_where(path, text, key)}: unknown section [{key}] (known: {', '.join(DEFAULTS)})")
        if isinstance(DEFAULTS[key], dict):
            if not isinstance(value, dict):
                raise SettingsError(f"{_where(path, text, key)}: [{key}] must be a section, not a value")
            _check_section(path, text, key, value)
        settings[key] = {**settings[key], **value} if isinstance(value, dict) else value
    settings["recipients"] = [_recipient(r, path) for r in settings["recipients"]]
    settings["path"] = str(path)
    return settings


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _whole(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _check_section(path, text, section, values):
    """Unknown keys (typos would be ignored silently) and wrong values, with file:line."""
    if section == "interest":  # keyword groups and slices: interest/config.py
        try:
            return check_interest(values, lambda key: _where(path, text, section, key))
        except ConfigError as exc:
            raise SettingsError(str(exc)) from None
    known = set(DEFAULTS[section])
    if section == "spikes":
        from analysis.spikes import SpikeParams
        known |= {f.name for f in dataclasses.fields(SpikeParams)}
    default = (_number, "a number") if section == "spikes" else (lambda v: isinstance(v, str), "text in quotes")
    for key, value in values.items():
        where = f"{_where(path, text, section, key)}: [{section}] {key}"
        if key not in known:
            raise SettingsError(f"{where}: unknown setting (known: {', '.join(sorted(known))})")
        check, expected = CHECKS.get(section, {}).get(key, default)
        if not check(value):
            raise SettingsError(f"{where} must be {expected}, not {value!r}")


def _time(text):
    try:
        parse_time(text)
    except SettingsError:
        return False
    return True


def _timezone(name):
    from zoneinfo import ZoneInfo
    try:
        ZoneInfo(str(name))
    except (ValueError, KeyError, OSError):
        return False
    return True


def _recipient(entry, path):
    email = (entry.get("email") or "").strip()
    if not EMAIL.match(email):
        raise SettingsError(f"{path}: recipient {entry!r} needs a valid email = \"name@domain\"")
    region = entry.get("region") or None
    if region and region not in ALL_REGIONS:
        raise SettingsError(f"{path}: recipient {email}: unknown region {region!r} "
                            f"(use one of {', '.join(ALL_REGIONS)})")
    return {"email": email, "name": entry.get("name") or "", "region": region}


def parse_time(text, where="time"):
    """'08:00' -> (8, 0)."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", str(text))
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise SettingsError(f"{where} must look like \"08:00\", not {text!r}")
    return int(match[1]), int(match[2])


def parse_recipients(text):
    """--recipients 'a@x.kr,b@y.kr:서울' -> recipient dicts (region after a colon)."""
    out = []
    for item in filter(None, (s.strip() for s in (text or "").split(","))):
        email, _, region = item.partition(":")
        out.append(_recipient({"email": email, "region": region or None}, "--recipients"))
    return out


def dashboard_url(settings):
    d = settings["dashboard"]
    return (d.get("public_url") or f"http://{d['host']}:{d['port']}").rstrip("/")


@dataclasses.dataclass
class Smtp:
    host: str
    port: int
    security: str  # starttls | ssl | none
    user: str
    password: str
    sender: str
    timeout: float = 30.0


def smtp_from_env(env=None):
    env = os.environ if env is None else env
    host = env.get("MONITOR_SMTP_HOST", "").strip()
    sender = env.get("MONITOR_SMTP_SENDER", "").strip() or env.get("MONITOR_SMTP_USER", "").strip()
    if not host or not sender:
        raise SettingsError("SMTP is not configured: set MONITOR_SMTP_HOST and MONITOR_SMTP_SENDER "
                            "(and MONITOR_SMTP_PORT, MONITOR_SMTP_SECURITY, MONITOR_SMTP_USER, "
                            "MONITOR_SMTP_PASSWORD as needed)")
    security = env.get("MONITOR_SMTP_SECURITY", "starttls").strip().lower()
    if security not in ("starttls", "ssl", "none"):
        raise SettingsError(f"MONITOR_SMTP_SECURITY must be starttls, ssl or none, not {security!r}")
    default_port = {"starttls": 587, "ssl": 465, "none": 25}[security]
    try:
        port = int(env.get("MONITOR_SMTP_PORT") or default_port)
    except ValueError:
        raise SettingsError(f"MONITOR_SMTP_PORT must be a number, not {env.get('MONITOR_SMTP_PORT')!r}") from None
    return Smtp(host, port, security, env.get("MONITOR_SMTP_USER", ""), env.get("MONITOR_SMTP_PASSWORD", ""), sender)
