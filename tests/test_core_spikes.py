"""analysis/spikes.py at its boundaries: exact thresholds worked out by hand, the minimum
volume and minimum rise, the history window, and the daily job's days (with `today` injected)."""
import datetime as dt
import math

import pytest

from analysis import spikes
from analysis.spikes import SpikeParams, describe, detect_spikes, key_label, share_test, volume_test
from digest_helpers import add_docs
from store.queries import list_spikes

F = dt.date(2026, 10, 1)  # the store's first day in these tests


def day(n):
    return (F + dt.timedelta(days=n)).isoformat()


# ---- the volume test ----------------------------------------------------------------------

def test_volume_equal_to_the_minimum_is_a_spike():
    # quiet history: mean 0, sigma floored at 1, threshold 3
    assert volume_test([0] * 28, 5) == {"spike": True, "baseline": 0.0, "threshold": 3.0, "zscore": 5.0}
    assert volume_test([0] * 28, 4)["spike"] is False          # over the threshold, under the minimum
    assert volume_test([0] * 28, 6, min_volume=6)["spike"] is True
    assert volume_test([0] * 28, 5, min_volume=6)["spike"] is False


def test_volume_equal_to_the_threshold_is_a_spike():
    # constant 4: stdev 0, Poisson floor sqrt(4) = 2, threshold 4 + 3 * 2 = 10
    assert volume_test([4] * 28, 10) == {"spike": True, "baseline": 4.0, "threshold": 10.0, "zscore": 3.0}
    assert volume_test([4] * 28, 9)["spike"] is False
    assert volume_test([4] * 28, 8, k=2.0) == {"spike": True, "baseline": 4.0, "threshold": 8.0, "zscore": 2.0}


def test_volume_sigma_is_the_largest_of_stdev_poisson_and_one():
    # 2, 18, 2, 18 ...: mean 10, population stdev 8 (> sqrt 10): threshold 34
    assert volume_test([2, 18] * 14, 34) == {"spike": True, "baseline": 10.0, "threshold": 34.0, "zscore": 3.0}
    assert volume_test([2, 18] * 14, 33)["spike"] is False
    # 0, 1, 0, 1 ...: mean .5, stdev .5, sqrt(.5) = .71: the floor 1 wins, threshold 3.5
    assert volume_test([0, 1] * 14, 5) == {"spike": True, "baseline": 0.5, "threshold": 3.5, "zscore": 4.5}
    assert volume_test([0, 1] * 14, 3, min_volume=3)["spike"] is False


# ---- the negative-share test --------------------------------------------------------------

def test_share_equal_to_the_threshold_is_a_spike():
    # p0 = (1 + 1) / (2 + 2) = .5; se = sqrt(.25 / 16) = .125; k = 2: threshold .75 = 12 of 16
    assert share_test(1, 2, 12, 16, k=2.0) == {"spike": True, "value": 0.75, "baseline": 0.5, "threshold": 0.75,
                                               "zscore": 2.0}
    assert share_test(1, 2, 11, 16, k=2.0)["spike"] is False


def test_share_needs_the_minimum_rise_even_with_a_large_sample():
    # p0 = 500 / 2000 = .25; 1000 labelled: se = .0137, threshold .291; .37 is far above it
    big = share_test(499, 1998, 370, 1000)
    assert big["threshold"] == pytest.approx(0.25 + 3 * math.sqrt(0.25 * 0.75 / 1000))
    assert big["value"] > big["threshold"] and big["spike"] is False     # a rise of .12 < .15
    assert share_test(499, 1998, 400, 1000)["spike"] is True               # a rise of .15
    # exactly the minimum rise (binary-exact numbers: .375 - .25 = .125)
    assert share_test(499, 1998, 375, 1000, min_share_delta=0.125)["spike"] is True
    assert share_test(499, 1998, 374, 1000, min_share_delta=0.125)["spike"] is False


def test_share_needs_the_minimum_number_of_labelled_articles():
    # p0 = 100 / 400 = .25; 8 of 10 = .8 >> threshold .25 + 3 * sqrt(.1875 / 10) = .661
    assert share_test(99, 398, 8, 10)["spike"] is True                     # exactly min_labelled
    assert share_test(99, 398, 8, 10, min_labelled=11)["spike"] is False
    assert share_test(99, 398, 0, 0) == {"spike": False, "value": None, "baseline": None, "threshold": None,
                                         "zscore": None}


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
    add_docs(db, day(4), 6)
    params = SpikeParams(window_days=3, min_history_days=3)
    found = detect_spikes(db, day(4), day(4), params)
    # history days 1..3: mean 1, sigma 1, threshold 4; with day 0 in it the mean would be 3
    assert overall(found) == [day(4)]
    spike = next(s for s in found if s["scope"] == "overall")
    assert (spike["value"], spike["baseline"], spike["threshold"], spike["zscore"]) == (6, 1.0, 4.0, 5.0)
    assert {(s["scope"], s["key"]) for s in found} == {("overall", "all"), ("region", "서울"), ("topic", "budget")}
    assert len(list_spikes(db, day(4), day(4))) == 3


def test_history_before_the_checked_days_is_read(db):
    quiet(db, range(0, 8), per_day=3)         # mean 3, sigma sqrt(3): threshold 8.2
    add_docs(db, day(8), 6)
    assert detect_spikes(db, day(8), day(8), SpikeParams(window_days=7, min_history_days=7)) == []
    add_docs(db, day(8), 3)                   # 9 >= 8.2
    assert overall(detect_spikes(db, day(8), day(8), SpikeParams(window_days=7, min_history_days=7))) == [day(8)]


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
    for n in range(10):                       # 8 neutral + 1 positive + 1 negative a day
        add_docs(db, day(n), 8, sentiment="neutral")
        add_docs(db, day(n), 1, sentiment="positive")
        add_docs(db, day(n), 1, sentiment="negative")
    add_docs(db, day(9), 6, sentiment="negative")   # day 9: 7 of 16 negative
    found = detect_spikes(db, day(9), day(9), SpikeParams(min_history_days=7), store=False)
    share = next(s for s in found if s["metric"] == "negative_share" and s["scope"] == "overall")
    p0 = (9 + 1) / (90 + 2)                   # days 0..8: 9 negative of 90 labelled, smoothed
    se = math.sqrt(p0 * (1 - p0) / 16)
    assert share["value"] == 7 / 16
    assert share["baseline"] == round(p0, 6) and share["threshold"] == round(p0 + 3 * se, 6)
    assert share["zscore"] == round((7 / 16 - p0) / se, 3)


def test_days_without_articles_count_as_zero(db):
    add_docs(db, day(0), 1, sentiment="negative")
    add_docs(db, day(0), 1, sentiment="neutral")
    add_docs(db, day(7), 12, sentiment="negative")   # days 1..6 have nothing
    found = detect_spikes(db, day(7), day(7), SpikeParams(min_history_days=7), store=False)
    volume = next(s for s in found if s["metric"] == "volume" and s["scope"] == "overall")
    assert (volume["value"], volume["baseline"], volume["threshold"]) == (12, round(2 / 7, 6), round(2 / 7 + 3, 6))
    share = next(s for s in found if s["metric"] == "negative_share" and s["scope"] == "overall")
    assert share["baseline"] == 0.5 and share["value"] == 1.0   # (1 + 1) / (2 + 2): the empty days add nothing


def test_defaults_are_the_documented_settings():
    from digest.settings import load_settings
    assert SpikeParams.from_config(load_settings()["spikes"]) == SpikeParams()
    assert SpikeParams() == SpikeParams(window_days=28, k=3.0, min_volume=5, min_labelled=10, min_share_delta=0.15,
                                        min_history_days=7, check_days=3)


def test_empty_store_has_no_spikes(db):
    assert detect_spikes(db, "2026-10-01", "2026-10-31") == []


def test_descriptions_in_korean():
    volume = {"day": "2026-11-18", "metric": "volume", "scope": "region", "key": "부산", "value": 9,
              "baseline": 1.04, "zscore": 8.04}
    share = {"day": "2026-11-19", "metric": "negative_share", "scope": "topic", "key": "budget", "value": 0.6,
             "baseline": 0.2, "zscore": 4.0}
    assert describe(volume) == "2026-11-18 · 지역 부산 · 기사량 9건 (평소 1.0건), z=8.0"
    assert describe(share) == "2026-11-19 · 주제 예산·재정 · 부정 비율 60% (평소 20%), z=4.0"
    assert describe(dict(volume, scope="overall", key="all")) == "2026-11-18 · 전체 · 기사량 9건 (평소 1.0건), z=8.0"
    assert (key_label("overall", "all"), key_label("topic", "nope"), key_label("region", "서울")) == ("전체", "nope", "서울")


def test_spike_settings_from_the_config_file():
    assert SpikeParams.from_config(None) == SpikeParams()
    p = SpikeParams.from_config({"k": 2.5, "window_days": 14, "alert_email": True, "alert_z": 4, "alert_min_hours": 6})
    assert (p.k, p.window_days, p.min_volume) == (2.5, 14, 5)
    with pytest.raises(ValueError, match="unknown settings: a, b"):
        SpikeParams.from_config({"b": 1, "a": 2, "k": 3})
