"""Uptime, error budget and percentiles: hand-computed fixtures and properties."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from apps.monitoring.stats import (
    LATENCY_BUCKETS_MS,
    bucket_index,
    error_budget_left,
    histogram,
    histogram_quantile,
    merge_histograms,
    nearest_rank,
    pack_histogram,
    state_seconds,
    unpack_histogram,
    uptime_ratio,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_hand_computed_day_with_maintenance_and_pause():
    # 24 h window: up 0-600 min, down 600-630 (30 min), maintenance 630-750 (2 h, excluded),
    # up 750-1000, paused 1000-1100 (excluded), up 1100-1440.
    changes = [
        (at(600), "down"), (at(630), "maintenance"), (at(750), "up"),
        (at(1000), "paused"), (at(1100), "up"),
    ]  # fmt: skip
    seconds = state_seconds(changes, "up", at(0), at(1440))
    assert seconds == {
        "up": (600 + 250 + 340) * 60.0, "down": 1800.0,
        "maintenance": 7200.0, "paused": 6000.0,
    }  # fmt: skip
    assert uptime_ratio(seconds) == 1190 / 1220
    # SLO 99 % of 1220 counted minutes allows 12.2 min down; 30 were spent.
    assert abs(error_budget_left(99, seconds) - (1 - 30 / 12.2)) < 1e-9
    assert error_budget_left(90, seconds) == 1 - 30 / 122.0


def test_window_clips_changes_and_uses_the_state_in_force():
    changes = [(at(-60), "down"), (at(30), "up"), (at(90), "down")]
    assert state_seconds(changes, "up", at(0), at(60)) == {"down": 1800.0, "up": 1800.0}


def test_no_counted_time_means_no_uptime():
    seconds = state_seconds([], "maintenance", at(0), at(60))
    assert uptime_ratio(seconds) is None and error_budget_left(99.9, seconds) is None


@given(
    st.lists(
        st.tuples(st.integers(1, 1439), st.sampled_from(["up", "down", "paused", "maintenance"])),
        max_size=30,
    )
)
def test_states_partition_the_window(raw):
    changes = sorted((at(m), s) for m, s in raw)
    seconds = state_seconds(changes, "pending", at(0), at(1440))
    assert abs(sum(seconds.values()) - 86400) < 1e-6
    ratio = uptime_ratio(seconds)
    assert ratio is None or 0 <= ratio <= 1


@given(
    st.lists(st.integers(0, 200_000), min_size=1, max_size=300), st.sampled_from([0.5, 0.95, 0.99])
)
def test_histogram_quantile_is_the_bucket_of_the_exact_percentile(values, q):
    exact = nearest_rank(values, q)
    assert histogram_quantile(histogram(values), q) == LATENCY_BUCKETS_MS[bucket_index(exact)]
    assert histogram_quantile(histogram(values), q) >= min(exact, LATENCY_BUCKETS_MS[-1])


@given(st.lists(st.integers(0, 5000), max_size=50), st.lists(st.integers(0, 5000), max_size=50))
def test_histograms_merge_like_the_union(a, b):
    assert merge_histograms([histogram(a), histogram(b)]) == histogram(a + b)


@given(st.dictionaries(st.integers(0, len(LATENCY_BUCKETS_MS) - 1), st.integers(1, 2**32 - 1)))
def test_packed_histograms_round_trip(counts):
    packed = pack_histogram(counts)
    assert len(packed) == 5 * len(counts)
    assert unpack_histogram(packed) == counts
    assert merge_histograms([packed, counts]) == {k: 2 * v for k, v in counts.items()}


def test_percentile_fixture():
    values = [12, 15, 18, 40, 45, 90, 120, 130, 800, 2500]
    assert nearest_rank(values, 0.5) == 45
    assert histogram_quantile(histogram(values), 0.5) == 50
    assert histogram_quantile(histogram(values), 0.95) == 3000
    assert histogram_quantile({}, 0.5) is None
