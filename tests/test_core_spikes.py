"""analysis/spikes.py at its boundaries: the count model's p-values recomputed with scipy.stats
from the formulas in docs/spikes.md, decisions at exact boundaries (one article below is not a
spike, at the boundary it is), the minimum volume, rise and labelled articles, the history
window, and the daily job's days (with `today` injected)."""
import datetime as dt
import tomllib
from pathlib import Path

import pytest
from scipy import stats

from analysis import spikes
from analysis.spikes import (FAMILY_SIZE, SpikeParams, describe, detect_spikes, key_label, share_test, view_spikes,
                             volume_test)
from digest_helpers import add_docs
from store.queries import list_spikes

F = dt.date(2026, 10, 1)  # the store's first day in these tests
ALPHA = 0.01              # the default fdr
REL = 1e-9                # the module's tail sums against scipy


def day(n):
    return (F + dt.timedelta(days=n)).isoformat()


# ---- expected values from the documented formulas (scipy, not the module) --------------------

def nb_p(x, mean, var):
    """P(X ≥ x) for a negative binomial with this mean and variance (var > mean)."""
    r = mean * mean / (var - mean)
    return stats.nbinom.sf(x - 1, r, r / (r + mean))


def volume_p(history, x, factor=1.0):
    """docs/spikes.md: mean × the day's level, variance (mean + κ·mean²)·(1 + 1/n), κ from the
    history's sample variance beyond Poisson (never below 0); one series, level 1 each day."""
    n = len(history)
    mean = sum(history) / n
    sample_var = sum((h - mean) ** 2 for h in history) / (n - 1)
    kappa = max((sample_var - mean) / mean ** 2, 0.0) if mean else 0.0
    expected = max(mean * factor, 0.5 / n)
    return nb_p(x, expected, (expected + kappa * expected ** 2) * (1 + 1 / n))


def beta_binomial_p(x, n, p0, rho):
    """P(X ≥ x) for a beta-binomial with mean share p0 and intra-day correlation rho."""
    return stats.betabinom.sf(x - 1, n, p0 * (1 - rho) / rho, (1 - p0) * (1 - rho) / rho)


def smallest_flagged(p_of, level):
    """The smallest count whose p-value is at or under `level`."""
    return next(x for x in range(1, 10_000) if p_of(x) <= level)


def z(p):
    return round(stats.norm.isf(p), 3)


def rows(history, last):
    """Count rows for view_spikes: one (articles, negative) per day from day 0, `last` the checked day."""
    out = []
    for i, (a, neg) in enumerate(list(history) + [last]):
        neutral = (a - neg) // 2                      # the rest split between neutral and positive
        out.append({"period": day(i), "articles": a, "negative": neg, "neutral": neutral,
                    "positive": a - neg - neutral})
    return out


def view(history, last, metric="volume", **params):
    """The spikes of `metric` view_spikes finds on the day after `history` (each test at fdr / 62)."""
    checked = day(len(history))
    found = view_spikes(rows(history, last), checked, checked, day(0), SpikeParams(**params))
    return [s for s in found if s["metric"] == metric]


# ---- the volume test ----------------------------------------------------------------------

def test_volume_equal_to_the_minimum_is_a_spike():
    # no articles in 28 days: expected 0.5 / 28, κ = 0, variance inflated by 29/28
    assert volume_test([0] * 28, 5) == {"p": pytest.approx(nb_p(5, 1 / 56, 29 / 28 / 56), rel=REL), "baseline": 0.0}
    assert volume_test([0] * 28, 5)["p"] < 1e-7
    assert volume_test([0] * 28, 4)["p"] == 1.0          # far in the tail, but under min_volume
    assert volume_test([0] * 28, 6, min_volume=6)["p"] == pytest.approx(nb_p(6, 1 / 56, 29 / 28 / 56), rel=REL)
    assert volume_test([0] * 28, 5, min_volume=6)["p"] == 1.0
    # the decision: 4 articles after 28 empty days is no spike, 5 is
    assert view([(0, 0)] * 28, (4, 0)) == []
    (spike,) = view([(0, 0)] * 28, (5, 0))
    assert (spike["day"], spike["value"], spike["baseline"]) == (day(28), 5, 0.0)
    assert spike["zscore"] == z(nb_p(5, 1 / 56, 29 / 28 / 56))


def test_volume_equal_to_the_threshold_is_a_spike():
    # 4 articles a day: κ = 0, variance 4·29/28; the view's test level is fdr / 62
    def p(x):
        return nb_p(x, 4.0, 4 * 29 / 28)
    for fdr in (ALPHA, 0.05):
        boundary = smallest_flagged(p, fdr / 62)
        assert volume_test([4] * 28, boundary)["p"] == pytest.approx(p(boundary), rel=REL)
        assert view([(4, 0)] * 28, (boundary - 1, 0), fdr=fdr) == []
        (spike,) = view([(4, 0)] * 28, (boundary, 0), fdr=fdr)
        assert (spike["value"], spike["baseline"], spike["threshold"], spike["zscore"]) == (
            boundary, 4.0, None, z(p(boundary)))
    # a looser level flags a smaller count
    assert smallest_flagged(p, 0.05 / 62) < smallest_flagged(p, ALPHA / 62)


def test_volume_variance_is_poisson_at_least_and_grows_with_the_spread():
    # 2, 18, 2, 18 ...: mean 10, sample variance 28·64/27: κ = (66.37 - 10) / 100
    swinging = [2, 18] * 14
    kappa = (28 * 64 / 27 - 10) / 100
    for x in (25, 34, 60):
        assert volume_test(swinging, x)["p"] == pytest.approx(nb_p(x, 10, (10 + kappa * 100) * 29 / 28), rel=REL)
        assert volume_test(swinging, x)["p"] == pytest.approx(volume_p(swinging, x), rel=REL)
    # steady or under-dispersed days: κ = 0 (Poisson), never below it
    for history, x in (([10] * 28, 25), ([0, 1] * 14, 5), ([3, 4, 5] * 9 + [4], 12)):
        mean = sum(history) / len(history)
        assert volume_test(history, x)["p"] == pytest.approx(nb_p(x, mean, mean * 29 / 28), rel=REL)
    # the same jump is much less surprising after swinging days
    assert volume_test(swinging, 25)["p"] > 100 * volume_test([10] * 28, 25)["p"]
    # the day's level (a weekend factor) scales the expected count and the baseline
    half = volume_test([10] * 28, 12, factor=0.5)
    assert half == {"p": pytest.approx(nb_p(12, 5.0, 5 * 29 / 28), rel=REL), "baseline": 5.0}
    # a count at or under the expected level is p = 1
    assert volume_test([10] * 28, 10, min_volume=1)["p"] == 1.0


# ---- the negative-share test --------------------------------------------------------------

def test_share_equal_to_the_threshold_is_a_spike():
    # history: 1 negative of 2 labelled a day (binomial days: ρ = 0), p0 = (28 + 1) / (56 + 2) = .5
    def p(x):
        return stats.binom.sf(x - 1, 20, 0.5)
    boundary = smallest_flagged(p, ALPHA / 62)
    assert share_test(1, 2, boundary, 20) == {"p": pytest.approx(p(boundary), rel=REL), "value": boundary / 20,
                                              "baseline": 0.5}
    history = [(2, 1)] * 28
    assert view(history, (20, boundary - 1), "negative_share") == []
    (spike,) = view(history, (20, boundary), "negative_share")
    assert (spike["value"], spike["baseline"], spike["zscore"]) == (boundary / 20, 0.5, z(p(boundary)))
    # days that vary more than chance (a beta-binomial with ρ from the Pearson dispersion
    # φ = 1 + (n − 1)·ρ) need more negative articles than binomial days
    varied = [(0, 10) if i % 2 == 0 else (3, 10) for i in range(9)]
    p0 = (12 + 1) / (90 + 2)
    phi = sum((neg - n * p0) ** 2 / (n * p0 * (1 - p0)) for neg, n in varied) / 8
    rho = (phi - 1) / 9
    assert 0.1 < rho < 0.5
    for x in (8, 9, 10):
        assert share_test(12, 90, x, 10, history=varied)["p"] == pytest.approx(beta_binomial_p(x, 10, p0, rho), rel=REL)
        assert share_test(12, 90, x, 10)["p"] == pytest.approx(stats.binom.sf(x - 1, 10, p0), rel=REL)
    assert share_test(12, 90, 8, 10, history=varied)["p"] > 100 * share_test(12, 90, 8, 10)["p"]
    # a little more spread than chance (φ = 8/7 with 2 labelled a day: ρ = 1/7) already counts
    slight = [(0, 2), (1, 2), (2, 2), (1, 2)] * 2
    assert share_test(8, 16, 9, 10, history=slight)["p"] == pytest.approx(beta_binomial_p(9, 10, 0.5, 1 / 7), rel=REL)
    # one labelled article a day cannot show a day-to-day spread: binomial
    single = [(1, 1), (0, 1)] * 4
    assert share_test(4, 8, 8, 10, history=single)["p"] == pytest.approx(stats.binom.sf(7, 10, 0.5), rel=REL)


def test_share_needs_the_minimum_rise_even_with_a_large_sample():
    # p0 = (499 + 1) / (1998 + 2) = .25; 370 of 1000 is far out in the binomial tail, but a rise of .12
    assert stats.binom.sf(369, 1000, 0.25) < 1e-15
    assert share_test(499, 1998, 370, 1000)["p"] == 1.0
    assert share_test(499, 1998, 399, 1000)["p"] == 1.0                    # a rise of .149
    assert share_test(499, 1998, 400, 1000)["p"] == pytest.approx(stats.binom.sf(399, 1000, 0.25), rel=1e-6)
    # exactly the minimum rise (binary-exact numbers: .375 - .25 = .125)
    assert share_test(499, 1998, 375, 1000, min_share_delta=0.125)["p"] < 1e-15
    assert share_test(499, 1998, 374, 1000, min_share_delta=0.125)["p"] == 1.0
    assert share_test(499, 1998, 374, 1000, min_share_delta=0.125)["value"] == 0.374


def test_share_needs_the_minimum_number_of_labelled_articles():
    # p0 = (99 + 1) / (398 + 2) = .25
    assert share_test(99, 398, 8, 10)["p"] == pytest.approx(stats.binom.sf(7, 10, 0.25), rel=REL)  # = min_labelled
    assert share_test(99, 398, 9, 9)["p"] == 1.0                              # one short, though 100 % negative
    assert share_test(99, 398, 8, 10, min_labelled=11)["p"] == 1.0
    assert share_test(99, 398, 0, 0) == {"p": 1.0, "value": None, "baseline": 0.25}


def test_benjamini_hochberg_at_the_line():
    # the k-th smallest of m p-values is compared with k/m · level; a p-value on the line is rejected
    assert spikes.benjamini_hochberg([0.025, 0.5], 0.05) == {0}           # .025 = 1/2 · .05 exactly
    assert spikes.benjamini_hochberg([0.04, 0.05], 0.05) == {0, 1}        # step-up: .05 ≤ 2/2 · .05 takes .04 too
    assert spikes.benjamini_hochberg([0.03, 0.06], 0.05) == set()


# ---- detection in a store -----------------------------------------------------------------

def quiet(db, days, per_day=1, **kw):
    for n in days:
        add_docs(db, day(n), per_day, **kw)


def overall(found, metric="volume"):
    return [s["day"] for s in found if s["scope"] == "overall" and s["metric"] == metric]


def test_history_must_reach_the_minimum_number_of_days(db):
    quiet(db, range(7))                       # days 0..6: one article a day
    add_docs(db, day(7), 10)                 # day 7: 7 days of history
    params = SpikeParams(min_history_days=7)
    assert overall(detect_spikes(db, day(7), day(7), params, store=False)) == [day(7)]
    assert detect_spikes(db, day(7), day(7), SpikeParams(min_history_days=8), store=False) == []
    assert list_spikes(db) == []             # store=False stores nothing


def test_history_is_the_window_before_the_day_not_the_day_itself(db):
    add_docs(db, day(0), 9)                   # outside a 3-day window for day 4
    quiet(db, (1, 2, 3))
    add_docs(db, day(4), 12)
    found = detect_spikes(db, day(4), day(4), SpikeParams(window_days=3, min_history_days=3))
    # history days 1..3 = 1, 1, 1: mean 1, κ = 0, variance 4/3 (day 0 and day 4 left out)
    p = volume_p([1, 1, 1], 12)
    assert p == pytest.approx(nb_p(12, 1, 4 / 3)) and p < 3 * ALPHA / 62   # overall, 서울, budget tie in BH
    assert {(s["scope"], s["key"], s["metric"]) for s in found} == {
        ("overall", "all", "volume"), ("region", "서울", "volume"), ("topic", "budget", "volume")}
    for s in found:
        assert (s["day"], s["value"], s["baseline"], s["threshold"], s["zscore"]) == (day(4), 12, 1.0, None, z(p))
    assert len(list_spikes(db, day(4), day(4))) == 3
    # a 4-day window takes in day 0 (9, 1, 1, 1): mean 3 and wide swings, no spike
    assert volume_p([9, 1, 1, 1], 12) > 0.01
    assert detect_spikes(db, day(4), day(4), SpikeParams(window_days=4, min_history_days=3), store=False) == []


def test_history_before_the_checked_days_is_read(db):
    quiet(db, range(0, 8), per_day=3)         # days 1..7 are the 7-day window of day 8
    params = SpikeParams(window_days=7, min_history_days=7)
    # the same p for overall, 서울 and budget: BH flags the three at p ≤ 3/62 · fdr
    boundary = smallest_flagged(lambda x: volume_p([3] * 7, x), 3 * ALPHA / 62)
    add_docs(db, day(8), boundary - 1)
    assert detect_spikes(db, day(8), day(8), params) == []
    add_docs(db, day(8), 1)
    found = detect_spikes(db, day(8), day(8), params)
    assert len(found) == 3 and overall(found) == [day(8)]
    expected = (boundary, 3.0, z(volume_p([3] * 7, boundary)))
    assert {(s["value"], s["baseline"], s["zscore"]) for s in found} == {expected}


def test_weekend_days_are_measured_against_the_weekend_level(db):
    # from Saturday 10-03: 20 articles each weekday, 2 each Saturday and Sunday; 10-31 is a Saturday
    assert dt.date.fromisoformat(day(2)).weekday() == 5 and dt.date.fromisoformat(day(30)).weekday() == 5
    for n in range(2, 30):
        add_docs(db, day(n), 2 if dt.date.fromisoformat(day(n)).weekday() >= 5 else 20)
    # the window's mean is 416/28 = 14.9 a day; a Saturday's level is 2, and κ = 0 (every day
    # is exactly at its level; a Saturday taken for a weekday would be far off it)
    def p(x):
        return nb_p(x, 2.0, 2 * 29 / 28)
    saturday = smallest_flagged(p, 3 * ALPHA / 62)                         # 3 tied p's in BH
    assert saturday < smallest_flagged(lambda x: nb_p(x, 416 / 28, 416 / 28 * 29 / 28), 3 * ALPHA / 62)
    add_docs(db, day(30), saturday - 1)
    assert detect_spikes(db, day(30), day(30), store=False) == []
    add_docs(db, day(30), 1)
    found = detect_spikes(db, day(30), day(30), store=False)
    assert overall(found) == [day(30)] and len(found) == 3
    assert {(s["value"], s["baseline"], s["zscore"]) for s in found} == {(saturday, 2.0, z(p(saturday)))}


def test_the_daily_job_checks_the_last_days_up_to_today(db, monkeypatch):
    quiet(db, range(0, 10))
    add_docs(db, day(8), 10)
    params = SpikeParams(min_history_days=7, check_days=3)
    monkeypatch.setattr(spikes, "today_kst", lambda: F + dt.timedelta(days=10))  # checks days 8..10
    assert overall(detect_spikes(db, params=params, store=False)) == [day(8)]
    monkeypatch.setattr(spikes, "today_kst", lambda: F + dt.timedelta(days=11))  # checks days 9..11
    assert overall(detect_spikes(db, params=params, store=False)) == []
    assert overall(detect_spikes(db, date_from=day(8), params=params, store=False)) == [day(8)]


def test_negative_share_spike_in_the_store(db):
    for n in range(9):                        # 10 labelled a day: 0 or 3 negative, alternately
        negative = 3 * (n % 2)
        add_docs(db, day(n), 10 - negative - 1, sentiment="neutral")
        add_docs(db, day(n), 1, sentiment="positive")
        add_docs(db, day(n), negative, sentiment="negative")
    p0 = (12 + 1) / (90 + 2)
    varied = [(3 * (n % 2), 10) for n in range(9)]
    rho = (sum((neg - n * p0) ** 2 / (n * p0 * (1 - p0)) for neg, n in varied) / 8 - 1) / 9
    params = SpikeParams(min_history_days=7)

    def shares():
        found = detect_spikes(db, day(9), day(9), params, store=False)
        return [s for s in found if s["metric"] == "negative_share"]
    # 9 of 9 negative: p under the BH line, but one article short of min_labelled
    add_docs(db, day(9), 9, sentiment="negative")
    assert beta_binomial_p(9, 9, p0, rho) < 3 * ALPHA / 62
    assert shares() == []
    # 10 of 10
    add_docs(db, day(9), 1, sentiment="negative")
    p = beta_binomial_p(10, 10, p0, rho)
    assert p < 3 * ALPHA / 62 and abs(z(p) - z(stats.binom.sf(9, 10, p0))) > 1   # ρ matters here
    found = shares()
    assert {(s["scope"], s["key"]) for s in found} == {("overall", "all"), ("region", "서울"), ("topic", "budget")}
    for s in found:
        assert (s["value"], s["baseline"], s["threshold"], s["zscore"]) == (1.0, round(p0, 6), None, z(p))


def test_days_without_articles_count_as_zero(db):
    add_docs(db, day(0), 1, sentiment="negative")
    add_docs(db, day(0), 1, sentiment="neutral")
    add_docs(db, day(7), 24, sentiment="negative")   # days 1..6 have nothing
    found = detect_spikes(db, day(7), day(7), SpikeParams(min_history_days=7), store=False)
    # history 2, 0, 0, 0, 0, 0, 0: mean 2/7, sample variance 4/7, κ = (4/7 - 2/7) / (2/7)² = 3.5,
    # variance (2/7 + 3.5·4/49)·8/7 = 32/49
    volume_p_value = nb_p(24, 2 / 7, 32 / 49)
    assert volume_p_value == pytest.approx(volume_p([2, 0, 0, 0, 0, 0, 0], 24), rel=REL)
    volume = next(s for s in found if s["metric"] == "volume" and s["scope"] == "overall")
    assert (volume["value"], volume["baseline"], volume["zscore"]) == (24, round(2 / 7, 6), z(volume_p_value))
    # the share: 1 of 2 labelled, (1 + 1) / (2 + 2) = .5; the empty days add nothing
    share = next(s for s in found if s["metric"] == "negative_share" and s["scope"] == "overall")
    assert (share["value"], share["baseline"], share["zscore"]) == (1.0, 0.5, z(0.5 ** 24))
    assert len(found) == 6                            # overall, 서울, budget × 2: each p < fdr / 62


def test_defaults_are_the_documented_settings():
    from digest.settings import load_settings
    shipped = tomllib.loads((Path(__file__).parent.parent / "config" / "settings.toml").read_text(encoding="utf-8"))
    assert SpikeParams.from_config(shipped["spikes"]) == SpikeParams()
    assert SpikeParams.from_config(load_settings()["spikes"]) == SpikeParams()
    assert SpikeParams() == SpikeParams(window_days=28, fdr=0.01, min_volume=5, min_labelled=10, min_share_delta=0.15,
                                        min_history_days=7, check_days=3)
    assert FAMILY_SIZE == 62                          # overall + 19 regions + 11 topics, × 2 metrics


def test_empty_store_has_no_spikes(db):
    assert detect_spikes(db, "2026-10-01", "2026-10-31") == []


def test_descriptions_in_korean():
    volume = {"day": "2026-11-18", "metric": "volume", "scope": "region", "key": "부산", "value": 9,
              "baseline": 1.04, "zscore": 8.04}
    share = {"day": "2026-11-19", "metric": "negative_share", "scope": "topic", "key": "budget", "value": 0.6,
             "baseline": 0.2, "zscore": 4.0}
    assert describe(volume) == "2026-11-18 · 지역 부산 · 기사 수 9건 (평소 하루 1.0건)"
    assert describe(share) == "2026-11-19 · 주제 예산·재정 · 부정 비율 60% (평소 20%)"
    assert describe(dict(volume, scope="overall", key="all")) == "2026-11-18 · 전체 · 기사 수 9건 (평소 하루 1.0건)"
    assert describe(dict(volume, value=1234), with_day=False) == "지역 부산 · 기사 수 1,234건 (평소 하루 1.0건)"
    assert describe(dict(share, scope="view", key="view")) == "2026-11-19 · 현재 조건 · 부정 비율 60% (평소 20%)"
    assert (key_label("overall", "all"), key_label("topic", "nope"), key_label("region", "서울")) == ("전체", "nope", "서울")


def test_spike_settings_from_the_config_file(tmp_path, caplog):
    from digest.settings import load_settings
    path = tmp_path / "settings.toml"
    path.write_text("[spikes]\nfdr = 0.05\nwindow_days = 14\nalert_email = true\nalert_z = 4\n", encoding="utf-8")
    with caplog.at_level("WARNING", logger="analysis.spikes"):
        p = SpikeParams.from_config(load_settings(path)["spikes"])
        assert (p.fdr, p.window_days, p.min_volume, p.min_history_days) == (0.05, 14, 5, 7)
        assert SpikeParams.from_config(None) == SpikeParams()
        assert caplog.text == ""                        # no warning without `k`
        # an old `k` is ignored with a warning
        assert SpikeParams.from_config({"k": 2.5, "alert_min_hours": 6}) == SpikeParams()
    assert "k is no longer used" in caplog.text
    with pytest.raises(ValueError, match="unknown settings: a, b"):
        SpikeParams.from_config({"b": 1, "a": 2, "k": 3})
