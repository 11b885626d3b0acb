"""False alarms and detection rate of the spike detection on synthetic coverage.

    python benchmarks/spikes.py [--runs 100] [--seed 1] [--quiet-only]

Each run simulates 28 days of history and 30 test days of articles: a daily total with
weekday/weekend swings and day-to-day overdispersion (negative binomial), each article with
a region (전국 and 서울 large, most regions small), one or two topics, and a negative
sentiment whose daily rate itself varies (beta). The daily job's tests (analysis.spikes:
every scope — overall, 19 regions, 11 topics — × volume and negative share, Benjamini–Hochberg
over each day's 62 tests) then run on every test day.

* quiet runs: nothing injected; every spike found is a false alarm. Target: at most 1 false
  alarm per 30 quiet days over all scopes. Run on the news-like data above and on evenly
  random data (uniform regions and topics, Poisson totals, fixed negative rate); the detection
  as it was before #13 (3σ per test, no correction) runs on the same days for comparison.
* injected runs: on one test day, one scope (each in turn) gets a spike: volume (3× its mean
  daily count extra, at least 10 articles: the day has about 4× its usual count) or negative
  share (2× its mean daily count extra, at least 12 articles, all negative: a usual 30 %
  negative day becomes about 75 %). Found when that scope is flagged that day. Target:
  ≥ 90 % found. Smaller spikes are reported for context (they are found less often: with
  62 tests a day, a small scope's 2× day is within what chance gives now and then).
"""
import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.spikes import OVERALL_KEY, SpikeParams, find_spikes  # noqa: E402
from vocabulary import ALL_REGIONS, NATIONAL, TOPICS  # noqa: E402

HISTORY, TEST_DAYS = 28, 30
START = dt.date(2026, 1, 5)  # a Monday
MEAN_PER_DAY, WEEKEND = 60, 0.55
DISPERSION = 30               # negative binomial shape of the daily total (smaller = wilder)
NEGATIVE, NEGATIVE_SPREAD = 0.3, 60  # daily negative rate ~ Beta(0.3 × 60, 0.7 × 60)
REGION_WEIGHTS = {NATIONAL: 25, "서울": 18, "경기남부": 10, "부산": 6}
TOPIC_LIST = list(TOPICS)
SCOPES = [("overall", OVERALL_KEY)] + [("region", r) for r in ALL_REGIONS] + [("topic", t) for t in TOPIC_LIST]


def simulate(rng, even=False):
    """Articles per day: a list (one per day) of (region index, topic mask, negative) arrays.

    even: the issue's "evenly random" data instead: every region and topic equally likely, a
    Poisson daily total with no weekend dip, and a fixed negative rate."""
    weights = np.array([1.0 if even else REGION_WEIGHTS.get(r, 41 / 15) for r in ALL_REGIONS])
    weights /= weights.sum()
    topic_weights = np.full(len(TOPIC_LIST), 1 / len(TOPIC_LIST)) if even else rng.dirichlet(np.full(len(TOPIC_LIST), 4.0))
    days = []
    for i in range(HISTORY + TEST_DAYS):
        if even:
            n, negative = rng.poisson(MEAN_PER_DAY), NEGATIVE
        else:
            mean = MEAN_PER_DAY * (WEEKEND if (START + dt.timedelta(days=i)).weekday() >= 5 else 1.0)
            n = rng.negative_binomial(DISPERSION, DISPERSION / (DISPERSION + mean))
            negative = rng.beta(NEGATIVE * NEGATIVE_SPREAD, (1 - NEGATIVE) * NEGATIVE_SPREAD)
        days.append(_articles(rng, n, weights, topic_weights, negative))
    return days, weights, topic_weights


def _articles(rng, n, region_weights, topic_weights, negative_rate, region=None, topic=None):
    regions = np.full(n, region) if region is not None else rng.choice(len(region_weights), n, p=region_weights)
    topics = np.zeros((n, len(topic_weights)), bool)
    for row in range(n):
        topics[row, rng.choice(len(topic_weights), 1 + (rng.random() < 0.4), replace=False, p=topic_weights)] = True
    if topic is not None:
        topics[:, topic] = True
    return regions, topics, rng.random(n) < negative_rate


def series(days):
    """{(scope, key): {iso day: (articles, negative, labelled)}} as the detection reads it."""
    out = {scope: {} for scope in SCOPES}
    for i, (regions, topics, negative) in enumerate(days):
        day = (START + dt.timedelta(days=i)).isoformat()
        masks = [("overall", OVERALL_KEY, np.ones(len(regions), bool))]
        masks += [("region", r, regions == k) for k, r in enumerate(ALL_REGIONS)]
        masks += [("topic", t, topics[:, k]) for k, t in enumerate(TOPIC_LIST)]
        for scope, key, mask in masks:
            n = int(mask.sum())
            out[(scope, key)][day] = (n, int((negative & mask).sum()), n)
    return out


def detect(days, params):
    first = START
    return find_spikes(series(days), first + dt.timedelta(days=HISTORY),
                       first + dt.timedelta(days=HISTORY + TEST_DAYS - 1), first, params)


def old_3sigma(days, k=3.0):
    """Spikes the pre-#13 detection flagged (each test at 3σ, no multiple-test correction), for
    comparison: volume >= mean + 3·max(sd, √mean, 1) and >= 5; share >= p0 + 3·se, n >= 10, +15 pp."""
    flagged = []
    for (scope, key), by_day in series(days).items():
        values = [by_day[d] for d in sorted(by_day)]
        for i in range(HISTORY, len(values)):
            hist = values[i - HISTORY:i]
            n, negative, labelled = values[i]
            counts = np.array([h[0] for h in hist], float)
            sigma = max(counts.std(), np.sqrt(counts.mean()), 1.0)
            volume = n >= counts.mean() + k * sigma and n >= 5
            p0 = (sum(h[1] for h in hist) + 1) / (sum(h[2] for h in hist) + 2)
            share = labelled >= 10 and negative / labelled >= max(p0 + k * np.sqrt(p0 * (1 - p0) / labelled),
                                                                p0 + 0.15)
            flagged += [(i, scope, key)] * (int(volume) + int(share))
    return flagged


def inject(rng, days, weights, topic_weights, scope_index, kind, size):
    """Add a spike of `kind` to scope SCOPES[scope_index] on a random test day; returns the day."""
    i = HISTORY + int(rng.integers(TEST_DAYS))
    scope, key = SCOPES[scope_index]
    region = ALL_REGIONS.index(key) if scope == "region" else None
    topic = TOPIC_LIST.index(key) if scope == "topic" else None
    hist = series(days[i - HISTORY:i])[(scope, key)]
    mean = sum(v[0] for v in hist.values()) / HISTORY
    if kind == "volume":
        extra, rate = max(10, round(size * mean)), NEGATIVE
    else:
        extra, rate = max(12, round(size * mean)), 1.0
    more = _articles(rng, extra, weights, topic_weights, rate, region, topic)
    days[i] = tuple(np.concatenate([a, b]) for a, b in zip(days[i], more))
    return (START + dt.timedelta(days=i)).isoformat(), scope, key


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="quiet runs, and injected runs per kind")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quiet-only", action="store_true", help="false alarms only (no injected runs)")
    args = parser.parse_args(argv)
    params, rng, t = SpikeParams(), np.random.default_rng(args.seed), time.perf_counter()
    tests = args.runs * TEST_DAYS * len(SCOPES) * 2
    print(f"quiet: {args.runs} runs × {TEST_DAYS} days × {len(SCOPES)} scopes × 2 metrics = {tests:,} tests")
    worst_quiet = 0.0
    for label, even in (("overdispersed news-like", False), ("evenly random (Poisson, uniform)", True)):
        false_alarms, alarm_days, old_alarms, old_days = 0, 0, 0, 0
        for _ in range(args.runs):
            days = simulate(rng, even)[0]
            found, old = detect(days, params), old_3sigma(days)
            false_alarms += len(found)
            alarm_days += len({s["day"] for s in found})
            old_alarms += len(old)
            old_days += len({i for i, _, _ in old})
        worst_quiet = max(worst_quiet, false_alarms / args.runs)
        print(f"  {label}: false alarms {false_alarms} = {false_alarms / args.runs:.2f} per 30 quiet days over "
              f"all scopes (target ≤ 1); days with any: {alarm_days / (args.runs * TEST_DAYS):.2%}")
        print(f"    before #13 (3σ per test, no correction), same data: {old_alarms / args.runs:.2f} per 30 "
              f"quiet days; days with any: {old_days / (args.runs * TEST_DAYS):.2%}")
    worst = 1.0
    if args.quiet_only:
        print(f"{'PASS' if worst_quiet <= 1 else 'FAIL'} (false alarms only) in {time.perf_counter() - t:.0f} s")
        return 0 if worst_quiet <= 1 else 1
    for kind, sizes in (("volume", (3.0, 2.0, 1.0)), ("negative_share", (2.0, 1.0))):
        for size in sizes:
            hits = 0
            for run in range(args.runs):
                days, weights, topic_weights = simulate(rng)
                day, scope, key = inject(rng, days, weights, topic_weights, run % len(SCOPES), kind, size)
                hits += any(s["day"] == day and (s["scope"], s["key"]) == (scope, key) for s in detect(days, params))
            rate = hits / args.runs
            target = size == sizes[0]
            worst = min(worst, rate) if target else worst
            extra = "at least 10" if kind == "volume" else "at least 12, all negative"
            print(f"injected {kind:15} +{size:g}× mean daily count ({extra}): found {rate:.0%}"
                  + (" (target ≥ 90 %)" if target else " (smaller spike, for context)"))
    ok = worst_quiet <= 1 and worst >= 0.9
    print(f"{'PASS' if ok else 'FAIL'} in {time.perf_counter() - t:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
