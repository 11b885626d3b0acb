"""Spike detection on daily volume and negative share, overall and per region / topic.

Method (documented for staff in docs/operations.md):

* volume (articles per Korean local day): the day's count is compared with the trailing
  `window_days` days before it (the day itself excluded). sigma = max(stdev, sqrt(mean), 1)
  — the Poisson floor keeps quiet series from flagging 2 articles as a spike. Spike when
  value >= mean + k*sigma and value >= min_volume.
* negative share (negative / labelled articles): the trailing window's pooled share p0
  (smoothed (neg+1)/(n+2)) is the baseline; the day's share p is tested against the binomial
  standard error se = sqrt(p0(1-p0)/n). Spike when p >= p0 + k*se, n >= min_labelled and
  p - p0 >= min_share_delta.

History never reaches before the first day in the store (days before the service began are
not "zero coverage"), and at least `min_history_days` of history are needed.
Spikes are upserted into the `spikes` table (UNIQUE day, metric, scope, key); a re-run
updates the numbers and keeps `detected_at` / `alerted_at`.
"""
import dataclasses
import datetime as dt
import math
import statistics

from vocabulary import TOPICS
from store.queries import Filters, counts, date_bounds
from store.util import KST, utc_now, write_transaction

METRICS = {"volume": "기사량", "negative_share": "부정 비율"}
SCOPES = {"overall": "전체", "region": "지역", "topic": "주제"}
OVERALL_KEY = "all"


@dataclasses.dataclass
class SpikeParams:
    window_days: int = 28
    k: float = 3.0
    min_volume: int = 5
    min_labelled: int = 10
    min_share_delta: float = 0.15
    min_history_days: int = 7
    check_days: int = 3          # the daily job re-checks the last few days (late articles)

    @classmethod
    def from_config(cls, section):
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(section or {}) - names - {"alert_email", "alert_z", "alert_min_hours"}
        if unknown:
            raise ValueError(f"[spikes] has unknown settings: {', '.join(sorted(unknown))}")
        return cls(**{k: v for k, v in (section or {}).items() if k in names})


def volume_test(history, value, k=3.0, min_volume=5):
    """-> dict(spike, baseline, threshold, zscore) for one day's count against its history."""
    mean = statistics.fmean(history)
    sigma = max(statistics.pstdev(history), math.sqrt(mean), 1.0)
    threshold = mean + k * sigma
    return {"spike": value >= threshold and value >= min_volume, "baseline": mean,
            "threshold": threshold, "zscore": (value - mean) / sigma}


def share_test(hist_negative, hist_labelled, negative, labelled, k=3.0, min_labelled=10,
               min_share_delta=0.15):
    """-> dict(spike, value, baseline, threshold, zscore) for one day's negative share."""
    if not labelled:
        return {"spike": False, "value": None, "baseline": None, "threshold": None, "zscore": None}
    p0 = (hist_negative + 1) / (hist_labelled + 2)
    p = negative / labelled
    se = math.sqrt(p0 * (1 - p0) / labelled)
    threshold = p0 + k * se
    return {"spike": p >= threshold and labelled >= min_labelled and p - p0 >= min_share_delta,
            "value": p, "baseline": p0, "threshold": threshold, "zscore": (p - p0) / se}


def today_kst():
    return dt.datetime.now(KST).date()


def _days(start, end):
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _series(db, group, date_from, date_to):
    """{key: {day: (articles, negative, labelled)}} from the shared counts query."""
    out = {}
    for r in counts(db, by="day", group=group, filters=Filters(date_from=date_from, date_to=date_to)):
        key = r[group] if group else OVERALL_KEY
        if key is None:
            continue
        labelled = r["negative"] + r["neutral"] + r["positive"]
        out.setdefault(key, {})[r["period"]] = (r["articles"], r["negative"], labelled)
    return out


def detect_spikes(db, date_from=None, date_to=None, params=None, store=True):
    """Check each day in [date_from, date_to] (default: the last `check_days` days up to
    today, Korean time) and return the spikes found (stored unless store=False)."""
    p = params or SpikeParams()
    first, _last = date_bounds(db)
    if first is None:
        return []
    end = dt.date.fromisoformat(date_to) if date_to else today_kst()
    start = dt.date.fromisoformat(date_from) if date_from else end - dt.timedelta(days=p.check_days - 1)
    first = dt.date.fromisoformat(first)
    hist_from = max(first, start - dt.timedelta(days=p.window_days))
    found = []
    for scope, group in (("overall", None), ("region", "region"), ("topic", "topic")):
        for key, by_day in _series(db, group, hist_from.isoformat(), end.isoformat()).items():
            for day in _days(start, end):
                history_days = [d for d in _days(max(first, day - dt.timedelta(days=p.window_days)),
                                                 day - dt.timedelta(days=1))]
                if len(history_days) < p.min_history_days:
                    continue
                hist = [by_day.get(d.isoformat(), (0, 0, 0)) for d in history_days]
                articles, negative, labelled = by_day.get(day.isoformat(), (0, 0, 0))
                vol = volume_test([h[0] for h in hist], articles, p.k, p.min_volume)
                if vol["spike"]:
                    found.append(_row(day, "volume", scope, key, articles, vol))
                share = share_test(sum(h[1] for h in hist), sum(h[2] for h in hist), negative, labelled,
                                   p.k, p.min_labelled, p.min_share_delta)
                if share["spike"]:
                    found.append(_row(day, "negative_share", scope, key, share["value"], share))
    if store:
        store_spikes(db, found)
    return found


def _row(day, metric, scope, key, value, test):
    return {"day": day.isoformat(), "metric": metric, "scope": scope, "key": key, "value": value,
            "baseline": round(test["baseline"], 6), "threshold": round(test["threshold"], 6),
            "zscore": round(test["zscore"], 3)}


def store_spikes(db, spikes):
    now = utc_now()
    with write_transaction(db):
        db.conn.executemany(
            """INSERT INTO spikes (day, metric, scope, key, value, baseline, threshold, zscore, detected_at)
               VALUES (:day, :metric, :scope, :key, :value, :baseline, :threshold, :zscore, :now)
               ON CONFLICT (day, metric, scope, key) DO UPDATE SET value = excluded.value,
                 baseline = excluded.baseline, threshold = excluded.threshold, zscore = excluded.zscore""",
            [dict(s, now=now) for s in spikes])


def key_label(scope, key):
    if scope == "overall":
        return "전체"
    if scope == "topic":
        return TOPICS.get(key, key)
    return key


def describe(spike):
    """One Korean line for the dashboard and the digest."""
    where = f"{SCOPES.get(spike['scope'], spike['scope'])} {key_label(spike['scope'], spike['key'])}" \
        if spike["scope"] != "overall" else "전체"
    if spike["metric"] == "volume":
        what = f"기사량 {spike['value']:.0f}건 (평소 {spike['baseline']:.1f}건)"
    else:
        what = f"부정 비율 {spike['value']:.0%} (평소 {spike['baseline']:.0%})"
    return f"{spike['day']} · {where} · {what}, z={spike['zscore']:.1f}"
