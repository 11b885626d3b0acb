"""Spike detection: the statistical tests on synthetic series, and detection in a real store."""
import datetime as dt
import random

import pytest

from analysis.spikes import (SpikeParams, benjamini_hochberg, binom_sf, describe, detect_spikes, events, nb_sf,
                             share_test, volume_test)
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


def _flag_volume(series, window=28, level=0.01):
    return [i for i in range(window, len(series)) if volume_test(series[i - window:i], series[i])["p"] <= level]


def test_volume_spikes_found_exactly_on_synthetic_series():
    rng = random.Random(7)
    series = [_poisson(rng, 20) for _ in range(120)]
    for day, extra in ((45, 40), (90, 30)):
        series[day] += extra
    assert _flag_volume(series, level=0.01 / 62) == [45, 90]


def test_volume_quiet_series_needs_min_volume_and_a_count_model():
    # 0,0,0... then 3 articles: a big relative jump but under min_volume
    assert volume_test([0] * 28, 3)["p"] == 1.0
    assert volume_test([0] * 28, 6)["p"] < 1e-6
    # a steady series: Poisson at least, so 10 -> 14 is ordinary and 10 -> 25 is not
    assert volume_test([10] * 28, 14)["p"] > 0.05
    assert volume_test([10] * 28, 25)["p"] < 1e-4
    # a series that swings from day to day needs a bigger jump than a steady one
    swinging = [2, 18] * 14
    assert volume_test(swinging, 25)["p"] > volume_test([10] * 28, 25)["p"] * 100


def test_count_model_tails_are_right():
    assert nb_sf(5, 2.0, 2.0) == pytest.approx(0.052653, abs=1e-6)          # Poisson(2): P(X >= 5)
    assert nb_sf(10, 4.0, 8.0) == pytest.approx(0.0461426, abs=1e-6)        # NB(r=4, p=0.5): P(X >= 10)
    assert binom_sf(12, 20, 0.25) == pytest.approx(0.000935, abs=1e-6)
    assert binom_sf(0, 20, 0.25) == 1.0 and binom_sf(21, 20, 0.25) == 0.0


def test_negative_share_spike_needs_enough_articles_and_a_real_rise():
    # history 25% negative over 400 labelled articles
    assert share_test(100, 400, 12, 20)["p"] < 0.001           # 60% of 20
    assert share_test(100, 400, 3, 5)["p"] == 1.0               # 60% but only 5 articles
    assert share_test(100, 400, 7, 20)["p"] == 1.0              # 35%: under the minimum rise
    result = share_test(100, 400, 12, 20)
    assert result["value"] == pytest.approx(0.6)
    assert result["baseline"] == pytest.approx(101 / 402)


def test_benjamini_hochberg():
    assert benjamini_hochberg([0.001, 0.2, 0.012, 0.9], 0.05) == {0, 2}   # 0.012 <= 2/4 * 0.05
    assert benjamini_hochberg([0.02, 0.03, 0.04, 0.5], 0.05) == set()
    assert benjamini_hochberg([], 0.05) == set()


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
    assert SpikeParams.from_config({"k": 3.0, "fdr": 0.05}).fdr == 0.05  # an old setting is ignored


def test_one_line_per_event_in_korean():
    day = {"metric": "volume", "zscore": 6.0}
    spikes = [dict(day, day="2026-11-24", scope="overall", key="all", value=120, baseline=31.0),
              dict(day, day="2026-11-24", scope="region", key="서울", value=80, baseline=5.0),
              dict(day, day="2026-11-24", scope="topic", key="budget", value=90, baseline=6.0),
              dict(day, day="2026-11-24", metric="negative_share", scope="overall", key="all", value=0.55,
                   baseline=0.3),
              dict(day, day="2026-11-25", scope="region", key="서울", value=60, baseline=5.2, zscore=5.0),
              dict(day, day="2026-11-28", scope="region", key="부산", value=20, baseline=2.0)]
    found = events(spikes)
    assert [(e["start"], e["end"], len(e["spikes"])) for e in found] == [
        ("2026-11-24", "2026-11-25", 5), ("2026-11-28", "2026-11-28", 1)]
    assert found[0]["text"] == (
        "11/24(화)~11/25(수): 기사 수 급증 — 전체 120건 (평소 하루 31.0건), 지역 서울 80건 (평소 하루 5.0건), "
        "주제 예산·재정 90건 (평소 하루 6.0건); 부정 비율 급증 — 전체 55% (평소 30%)")
    assert "z=" not in found[0]["text"] and "volume" not in found[0]["text"]
    assert describe(spikes[1]) == "2026-11-24 · 지역 서울 · 기사 수 80건 (평소 하루 5.0건)"
