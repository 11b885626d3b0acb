"""Spike detection on daily volume and negative share, overall and per region / topic.

Method (for staff in docs/operations.md, the reasoning and the benchmark in docs/spikes.md):

* Each day is tested in every scope (overall, each region, each topic) on two metrics, each
  test against the `window_days` days before it (the day itself excluded) and giving a
  one-sided p-value:
  - volume (articles per Korean local day): a count model. The day's count is compared with
    a negative binomial whose mean is the window's mean at the day's weekday or weekend level
    (levels from the overall series: weekends are quieter) and whose variance is mean +
    kappa·mean², kappa pooled over the day's series from their spread around those levels
    (at least Poisson; inflated by 1 + 1/n for the mean's own uncertainty), so coverage that
    swings a lot needs a bigger jump. A count below `min_volume` is never a spike.
  - negative share: the day's negative articles out of its labelled ones against a
    beta-binomial with the window's pooled share p0 = (neg+1)/(n+2) and the window's own
    day-to-day spread (a binomial when the days vary no more than chance). Needs n ≥
    `min_labelled` and a rise of at least `min_share_delta`.
* False alarms are controlled across everything tested on a day (about 31 scopes × 2
  metrics): Benjamini–Hochberg at level `fdr` over the day's p-values. On a day with nothing
  going on, the chance of any false spike is at most `fdr` (benchmarks/spikes.py measures it).
* A filtered dashboard view that no stored scope answers is tested on its own series with
  the same tests and Bonferroni over the stored family's size (`view_spikes`), so it flags no
  more easily than the daily job.

History never reaches before the first day in the store (days before the service began are
not "zero coverage"), and at least `min_history_days` of history are needed.
Spikes are upserted into the `spikes` table (UNIQUE day, metric, scope, key); `zscore` holds
the p-value as a standard-normal score (p = 0.001 → 3.1), `threshold` is not used (NULL).
A re-run updates the numbers and keeps `detected_at` / `alerted_at`.
"""
import dataclasses
import datetime as dt
import logging
import math
import statistics

from vocabulary import ALL_REGIONS, TOPICS
from store.queries import Filters, counts, date_bounds
from store.util import KST, utc_now, write_transaction

METRICS = {"volume": "기사 수", "negative_share": "부정 비율"}
SCOPES = {"overall": "전체", "region": "지역", "topic": "주제", "view": "현재 조건"}
OVERALL_KEY = "all"
VIEW_KEY = "view"
# The daily job's family of tests per day: overall + each region + each topic, two metrics.
FAMILY_SIZE = 2 * (1 + len(ALL_REGIONS) + len(TOPICS))
MAX_Z = 40.0
log = logging.getLogger(__name__)


@dataclasses.dataclass
class SpikeParams:
    window_days: int = 28
    fdr: float = 0.01            # Benjamini–Hochberg level over one day's tests
    min_volume: int = 5
    min_labelled: int = 10
    min_share_delta: float = 0.15
    min_history_days: int = 7
    check_days: int = 3          # the daily job re-checks the last few days (late articles)

    @classmethod
    def from_config(cls, section):
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(section or {}) - names - {"alert_email", "alert_z", "alert_min_hours", "k"}
        if unknown:
            raise ValueError(f"[spikes] has unknown settings: {', '.join(sorted(unknown))}")
        if "k" in (section or {}):
            log.warning("[spikes] k is no longer used (spikes are tested with fdr); remove it from the settings")
        return cls(**{k: v for k, v in (section or {}).items() if k in names})


def _tail(first_term, ratio, start):
    """Sum of a pmf from `start` upward: first_term = pmf(start), ratio(k) = pmf(k+1)/pmf(k)."""
    total, term, k = 0.0, first_term, start
    while term > 0 and k < start + 100_000:
        total += term
        r = ratio(k)
        term *= r
        k += 1
        if r < 1 and term < total * 1e-13:
            break
    return min(total, 1.0)


def nb_sf(x, mean, var):
    """P(X ≥ x) for a negative binomial with this mean and variance (Poisson when var ≤ mean)."""
    if x <= mean:
        return 1.0
    mean = max(mean, 1e-9)
    if var <= mean * (1 + 1e-9):  # Poisson
        log_first = -mean + x * math.log(mean) - math.lgamma(x + 1)
        return _tail(math.exp(log_first), lambda k: mean / (k + 1), x)
    r = mean * mean / (var - mean)
    q = mean / (r + mean)
    log_first = (math.lgamma(x + r) - math.lgamma(r) - math.lgamma(x + 1) + r * math.log1p(-q) + x * math.log(q))
    return _tail(math.exp(log_first), lambda k: (k + r) / (k + 1) * q, x)


def binom_sf(x, n, p):
    """P(X ≥ x) for X ~ Binomial(n, p)."""
    if x <= 0:
        return 1.0
    if x > n:
        return 0.0
    log_first = (math.lgamma(n + 1) - math.lgamma(x + 1) - math.lgamma(n - x + 1)
                 + x * math.log(p) + (n - x) * math.log1p(-p))
    return _tail(math.exp(log_first), lambda k: (n - k) / (k + 1) * p / (1 - p) if k < n else 0.0, x)


def z_of(p):
    """A p-value as a standard-normal score (what `zscore` stores and alert_z compares)."""
    return MAX_Z if p <= 1e-300 else min(MAX_Z, -statistics.NormalDist().inv_cdf(min(p, 0.5)))


def volume_test(history, value, min_volume=5, factors=None, factor=1.0, kappa=None):
    """-> dict(p, baseline) for one day's count against its history (a list of daily counts).
    factors: each history day's level relative to the window's average (weekends are
    quieter), factor: the tested day's; the baseline is the window's mean × factor.
    kappa: the overdispersion (variance = mean + kappa·mean²) shared by the day's series
    (see pooled_kappa); None: this history's own."""
    n = len(history)
    mean = statistics.fmean(history)
    factors = factors or [1.0] * n
    expected = max(mean * factor, 0.5 / n)  # no articles in the window: a small rate, not zero
    if kappa is None:
        kappa = pooled_kappa([(history, factors)])
    var = (expected + kappa * expected ** 2) * (1 + 1 / n)
    p = nb_sf(value, expected, var) if value >= min_volume else 1.0
    return {"p": p, "baseline": mean * factor}


def pooled_kappa(histories):
    """The negative binomial's overdispersion kappa (variance = mean + kappa·mean²) from
    several series' day-to-day spread around their weekday/weekend levels, pooled: the
    busy series (overall) carry the estimate, so a small region's few articles do not make
    a noisy variance of their own. histories: [(daily counts, factors)]; 0 = Poisson."""
    excess = squares = 0.0
    for history, factors in histories:
        mean = statistics.fmean(history)
        if mean <= 0:
            continue
        spread = sum((h - mean * f) ** 2 for h, f in zip(history, factors)) / max(len(history) - 1, 1)
        excess += spread - mean
        squares += mean * mean
    return max(excess / squares, 0.0) if squares else 0.0


def day_factors(reference, history_days, day):
    """(history factors, the day's factor): weekday and weekend levels of a reference series
    (the overall one) relative to its window average; 1.0 when it is too thin to tell."""
    weekend = [d.weekday() >= 5 for d in history_days]
    total, n_weekend = sum(reference), sum(weekend)
    if total < 30 or not 0 < n_weekend < len(history_days):
        return [1.0] * len(history_days), 1.0
    mean = total / len(history_days)
    level = {True: sum(h for h, w in zip(reference, weekend) if w) / n_weekend / mean,
             False: sum(h for h, w in zip(reference, weekend) if not w) / (len(history_days) - n_weekend) / mean}
    return [level[w] for w in weekend], level[day.weekday() >= 5]


def betabinom_sf(x, n, p, rho):
    """P(X ≥ x) for a beta-binomial: n trials, mean share p, intra-day correlation rho
    (variance n·p(1−p)·(1 + (n−1)·rho)); rho = 0 is the binomial."""
    if rho <= 1e-9:
        return binom_sf(x, n, p)
    if x <= 0:
        return 1.0
    if x > n:
        return 0.0
    a, b = p * (1 - rho) / rho, (1 - p) * (1 - rho) / rho
    log_first = (math.lgamma(n + 1) - math.lgamma(x + 1) - math.lgamma(n - x + 1) + math.lgamma(x + a)
                 + math.lgamma(n - x + b) - math.lgamma(n + a + b) - math.lgamma(a) - math.lgamma(b)
                 + math.lgamma(a + b))
    return _tail(math.exp(log_first), lambda k: (n - k) / (k + 1) * (k + a) / (n - k - 1 + b) if k < n else 0.0, x)


def share_test(hist_negative, hist_labelled, negative, labelled, min_labelled=10, min_share_delta=0.15,
               history=None):
    """-> dict(p, value, baseline) for one day's negative share against the window's.
    history: the window's daily (negative, labelled); their spread beyond the binomial's sets
    the beta-binomial's rho, so days that naturally differ a lot need a bigger rise."""
    p0 = (hist_negative + 1) / (hist_labelled + 2)
    if not labelled:
        return {"p": 1.0, "value": None, "baseline": p0}
    share = negative / labelled
    ok = labelled >= min_labelled and share - p0 >= min_share_delta
    return {"p": betabinom_sf(negative, labelled, p0, _rho(history or [], p0)) if ok else 1.0,
            "value": share, "baseline": p0}


def _rho(history, p0):
    """Intra-day correlation from the history's Pearson dispersion (0 when binomial or unknown)."""
    days = [(neg, n) for neg, n in history if n]
    if len(days) < 5:
        return 0.0
    dispersion = sum((neg - n * p0) ** 2 / (n * p0 * (1 - p0)) for neg, n in days) / (len(days) - 1)
    mean_n = sum(n for _, n in days) / len(days)
    return 0.0 if dispersion <= 1 or mean_n <= 1 else min((dispersion - 1) / (mean_n - 1), 0.5)


def benjamini_hochberg(pvalues, level):
    """Indexes of the p-values rejected by Benjamini–Hochberg at `level`."""
    order = sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    m, cut = len(pvalues), 0
    for rank, i in enumerate(order, 1):
        if pvalues[i] <= rank / m * level:
            cut = rank
    return set(order[:cut])


def today_kst():
    return dt.datetime.now(KST).date()


def _days(start, end):
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def day_tests(series, day, first, p):
    """The tests of one day: [(scope, key, metric, value, test)] for every series in
    `series` ({(scope, key): {iso day: (articles, negative, labelled)}}) with enough history."""
    history_days = _days(max(first, day - dt.timedelta(days=p.window_days)), day - dt.timedelta(days=1))
    if len(history_days) < p.min_history_days:
        return []
    reference = max(series.values(), key=lambda by_day: sum(v[0] for v in by_day.values()))  # the overall series
    factors, factor = day_factors([reference.get(d.isoformat(), (0,))[0] for d in history_days], history_days, day)
    hists = {name: [by_day.get(d.isoformat(), (0, 0, 0)) for d in history_days] for name, by_day in series.items()}
    kappa = pooled_kappa([([h[0] for h in hist], factors) for hist in hists.values()])
    out = []
    for (scope, key), by_day in series.items():
        hist = hists[(scope, key)]
        articles, negative, labelled = by_day.get(day.isoformat(), (0, 0, 0))
        out.append((scope, key, "volume", articles,
                    volume_test([h[0] for h in hist], articles, p.min_volume, factors, factor, kappa)))
        share = share_test(sum(h[1] for h in hist), sum(h[2] for h in hist), negative, labelled,
                           p.min_labelled, p.min_share_delta, [(h[1], h[2]) for h in hist])
        out.append((scope, key, "negative_share", share["value"], share))
    return out


def find_spikes(series, start, end, first, params=None, family=None):
    """Spikes in `series` (see day_tests) on each day from start to end (dates); history
    from `first` on. family=None: Benjamini–Hochberg over each day's tests; a number:
    Bonferroni, each test at fdr / family (one series tested alone, as part of that family)."""
    p = params or SpikeParams()
    found = []
    for day in _days(start, end):
        tests = day_tests(series, day, first, p)
        pvalues = [t[4]["p"] for t in tests]
        if family is None:
            rejected = benjamini_hochberg(pvalues, p.fdr)
        else:
            rejected = {i for i, pv in enumerate(pvalues) if pv <= p.fdr / family}
        found += [_row(day, *tests[i]) for i in sorted(rejected)]
    return found


def _series(db, group, date_from, date_to, filters=None):
    """{key: {day: (articles, negative, labelled)}} from the shared counts query."""
    out = {}
    f = (filters or Filters()).replace(date_from=date_from, date_to=date_to)
    for r in counts(db, by="day", group=group, filters=f):
        key = r[group] if group else OVERALL_KEY
        if key is None:
            continue
        labelled = r["negative"] + r["neutral"] + r["positive"]
        out.setdefault(key, {})[r["period"]] = (r["articles"], r["negative"], labelled)
    return out


def _window(db, date_from, date_to, p):
    first, _last = date_bounds(db)
    if first is None:
        return None
    end = dt.date.fromisoformat(date_to) if date_to else today_kst()
    start = dt.date.fromisoformat(date_from) if date_from else end - dt.timedelta(days=p.check_days - 1)
    first = dt.date.fromisoformat(first)
    return start, end, first, max(first, start - dt.timedelta(days=p.window_days))


def detect_spikes(db, date_from=None, date_to=None, params=None, store=True):
    """Check each day in [date_from, date_to] (default: the last `check_days` days up to
    today, Korean time) and return the spikes found (stored unless store=False)."""
    p = params or SpikeParams()
    window = _window(db, date_from, date_to, p)
    if window is None:
        return []
    start, end, first, hist_from = window
    series = {}
    for scope, group in (("overall", None), ("region", "region"), ("topic", "topic")):
        for key, by_day in _series(db, group, hist_from.isoformat(), end.isoformat()).items():
            series[(scope, key)] = by_day
    for scope, keys in (("region", ALL_REGIONS), ("topic", TOPICS)):
        for key in keys:  # a quiet region is still tested (and counts in the family)
            series.setdefault((scope, key), {})
    series.setdefault(("overall", OVERALL_KEY), {})
    found = find_spikes(series, start, end, first, p)
    if store:
        store_spikes(db, found)
    return found


def view_spikes(counts_by_day, date_from, date_to, first_day, params=None):
    """Spikes of one filtered series (a dashboard view no stored scope answers): rows of
    daily counts from `window_days` before date_from to date_to, tested each day at
    fdr / FAMILY_SIZE (Bonferroni within the daily job's family)."""
    p = params or SpikeParams()
    by_day = {r["period"]: (r["articles"], r["negative"], r["negative"] + r["neutral"] + r["positive"])
              for r in counts_by_day}
    if first_day is None:
        return []
    return find_spikes({("view", VIEW_KEY): by_day}, dt.date.fromisoformat(date_from), dt.date.fromisoformat(date_to),
                       dt.date.fromisoformat(first_day), p, family=FAMILY_SIZE)


def _row(day, scope, key, metric, value, test):
    return {"day": day.isoformat(), "metric": metric, "scope": scope, "key": key, "value": value,
            "baseline": round(test["baseline"], 6), "threshold": None, "zscore": round(z_of(test["p"]), 3)}


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


def where(spike):
    """'전체', '지역 서울', '주제 예산·재정' or '현재 조건'."""
    if spike["scope"] in ("overall", "view"):
        return SCOPES[spike["scope"]]
    return f"{SCOPES.get(spike['scope'], spike['scope'])} {key_label(spike['scope'], spike['key'])}"


def describe(spike, with_day=True):
    """One Korean line for the dashboard and the digest, e.g.
    '2026-11-19 · 지역 서울 · 부정 비율 60% (평소 20%)' (with_day=False: without the date)."""
    if spike["metric"] == "volume":
        what = f"기사 수 {spike['value']:,.0f}건 (평소 하루 {spike['baseline']:.1f}건)"
    else:
        what = f"부정 비율 {spike['value']:.0%} (평소 {spike['baseline']:.0%})"
    return " · ".join(([spike["day"]] if with_day else []) + [where(spike), what])


WEEKDAYS = "월화수목금토일"


def _day_ko(iso):
    day = dt.date.fromisoformat(iso)
    return f"{day.month}/{day.day}({WEEKDAYS[day.weekday()]})"


def _value_text(spike):
    if spike["metric"] == "volume":
        return f"{spike['value']:,.0f}건 (평소 하루 {spike['baseline']:.1f}건)"
    return f"{spike['value']:.0%} (평소 {spike['baseline']:.0%})"


def events(spikes):
    """Spikes grouped into events, one Korean line each: the spikes of a day, joined with the
    next day's when they share a scope (one story often runs two days).
    -> [{'start', 'end', 'spikes', 'text'}], oldest first."""
    by_day = {}
    for s in spikes:
        by_day.setdefault(s["day"], []).append(s)
    out = []
    for day in sorted(by_day):
        scopes = {(s["scope"], s["key"]) for s in by_day[day]}
        last = out[-1] if out else None
        if last and (dt.date.fromisoformat(day) - dt.date.fromisoformat(last["end"])).days == 1 and \
                scopes & {(s["scope"], s["key"]) for s in last["spikes"]}:
            last["end"], last["spikes"] = day, last["spikes"] + by_day[day]
        else:
            out.append({"start": day, "end": day, "spikes": list(by_day[day])})
    for event in out:
        parts = []
        for metric, name in METRICS.items():
            strongest = {}
            for s in sorted(event["spikes"], key=lambda s: -(s["zscore"] or 0)):
                if s["metric"] == metric:
                    strongest.setdefault((s["scope"], s["key"]), s)
            if strongest:
                parts.append(f"{name} 급증 — " + ", ".join(f"{where(s)} {_value_text(s)}" for s in strongest.values()))
        days = _day_ko(event["start"]) + ("" if event["end"] == event["start"] else f"~{_day_ko(event['end'])}")
        event["text"] = f"{days}: " + "; ".join(parts)
    return out
