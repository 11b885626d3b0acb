"""Spike detection: the statistical tests on synthetic series, and detection in a real store."""
import datetime as dt
import random

import pytest

from analysis.spikes import SpikeParams, describe, detect_spikes, share_test, volume_test
from digest_helpers import add_docs
from store.queries import list_spikes


def _poisson(rng, lam):
    # Knuth's method; fine for small lambda
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _flag_volume(series, window=28, k=3.0):
    return [i for i in range(window, len(series))
            if volume_test(series[i - window:i], series[i], k)["spike"]]


def test_volume_spikes_found_exactly_on_synthetic_series():
    rng = random.Random(7)
    series = [_poisson(rng, 20) for _ in range(120)]
    for day, extra in ((45, 40), (90, 30)):
        series[day] += extra
    assert _flag_volume(series) == [45, 90]


def test_volume_quiet_series_needs_min_volume_and_poisson_floor():
    # 0,0,0... then 3 articles: big relative jump but not a spike (min_volume 5, sigma floor 1)
    assert not volume_test([0] * 28, 3)["spike"]
    assert volume_test([0] * 28, 6)["spike"]
    # a steady series with zero variance: sigma = sqrt(mean), so 10 -> 14 is not a spike
    assert not volume_test([10] * 28, 14)["spike"]
    assert volume_test([10] * 28, 20)["spike"]


def test_negative_share_spike_needs_enough_articles_and_a_real_rise():
    # history 25% negative over 400 labelled articles
    assert share_test(100, 400, 12, 20)["spike"]           # 60% of 20
    assert not share_test(100, 400, 3, 5)["spike"]         # 60% but only 5 articles
    assert not share_test(100, 400, 7, 20)["spike"]        # 35%: within noise
    result = share_test(100, 400, 12, 20)
    assert result["value"] == pytest.approx(0.6)
    assert result["baseline"] == pytest.approx(101 / 402)
    assert result["zscore"] > 3


def test_detect_spikes_in_store_overall_region_and_negative_share(db):
    start = dt.date(2026, 10, 1)
    for i in range(40):  # steady background: 3 neutral + 1 negative article a day in 서울
        day = (start + dt.timedelta(days=i)).isoformat()
        add_docs(db, day, 3, region="서울", sentiment="neutral")
        add_docs(db, day, 1, region="서울", sentiment="negative")
    spike_day = (start + dt.timedelta(days=35)).isoformat()
    add_docs(db, spike_day, 20, region="부산", sentiment="negative", topics=("police_control",))

    found = detect_spikes(db, date_from=(start + dt.timedelta(days=28)).isoformat(),
                          date_to=(start + dt.timedelta(days=39)).isoformat(), params=SpikeParams())
    keys = {(s["day"], s["metric"], s["scope"], s["key"]) for s in found}
    assert (spike_day, "volume", "overall", "all") in keys
    assert (spike_day, "volume", "region", "부산") in keys
    assert (spike_day, "negative_share", "overall", "all") in keys
    assert (spike_day, "volume", "topic", "police_control") in keys
    assert all(s["day"] == spike_day for s in found), found
    assert len(list_spikes(db, spike_day, spike_day)) == len(found)
    assert "부정 비율" in describe(next(s for s in found if s["metric"] == "negative_share"))

    # re-running updates, does not duplicate, and keeps alerted_at
    db.execute("UPDATE spikes SET alerted_at = '2026-11-05T00:00:00Z' WHERE scope = 'overall'")
    db.conn.commit()
    detect_spikes(db, date_from=spike_day, date_to=spike_day)
    rows = list_spikes(db, spike_day, spike_day)
    assert len(rows) == len(found)
    assert {r["alerted_at"] for r in rows if r["scope"] == "overall"} == {"2026-11-05T00:00:00Z"}


def test_no_spike_without_enough_history(db):
    add_docs(db, "2026-10-01", 2)
    add_docs(db, "2026-10-03", 30)  # the store's third day: too little history to judge
    assert detect_spikes(db, "2026-10-01", "2026-10-03") == []
    assert list_spikes(db) == []


def test_spike_params_reject_unknown_settings():
    with pytest.raises(ValueError, match="unknown settings: windw_days"):
        SpikeParams.from_config({"windw_days": 14})
