"""Uptime, latency percentiles and SLO error budget: pure functions over plain values.

Uptime is time-weighted from state changes: seconds UP over seconds UP or DOWN. Time spent
PENDING, PAUSED or in MAINTENANCE counts neither way, so planned work and paused monitors
never eat the error budget. Latency percentiles come from mergeable histograms kept in the
rollups: the reported value is the upper bound of the bucket holding the nearest-rank sample.
"""

import math
import struct
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta

from apps.monitoring.state import DOWN, UP

LATENCY_BUCKETS_MS: tuple[int, ...] = (
    1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750,
    1000, 1500, 2000, 3000, 5000, 7500, 10_000, 15_000, 20_000, 30_000, 60_000, 120_000,
)  # fmt: skip
WINDOWS: dict[str, timedelta] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
}


def state_seconds(
    changes: Iterable[tuple[datetime, str]], initial: str, start: datetime, end: datetime
) -> dict[str, float]:
    """Seconds spent in each state between `start` and `end`.

    `changes` are (at, new state) sorted by time; `initial` is the state in force at `start`.
    Changes outside the window only move the state in force.
    """
    totals: dict[str, float] = {}
    state, since = initial, start
    for at, new in changes:
        if at <= start:
            state = new
            continue
        if at >= end:
            break
        totals[state] = totals.get(state, 0.0) + (at - since).total_seconds()
        state, since = new, at
    if end > since:
        totals[state] = totals.get(state, 0.0) + (end - since).total_seconds()
    return totals


def uptime_ratio(seconds: Mapping[str, float]) -> float | None:
    """UP / (UP + DOWN); None when the window holds no counted time."""
    up, down = seconds.get(UP, 0.0), seconds.get(DOWN, 0.0)
    return up / (up + down) if up + down > 0 else None


def error_budget_left(slo_percent: float, seconds: Mapping[str, float]) -> float | None:
    """Fraction of the window's error budget left (1 = untouched, 0 = spent, < 0 = overspent).

    The budget is the DOWN time the SLO allows over the counted (UP + DOWN) time.
    """
    up, down = seconds.get(UP, 0.0), seconds.get(DOWN, 0.0)
    if up + down <= 0:
        return None
    allowed = (1 - float(slo_percent) / 100) * (up + down)
    if allowed <= 0:
        return 1.0 if down == 0 else 0.0
    return 1 - down / allowed


def bucket_index(latency_ms: float) -> int:
    """Index of the histogram bucket whose upper bound is the first >= latency_ms."""
    return min(bisect_left(LATENCY_BUCKETS_MS, latency_ms), len(LATENCY_BUCKETS_MS) - 1)


def histogram(latencies: Iterable[float]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for value in latencies:
        index = bucket_index(value)
        counts[index] = counts.get(index, 0) + 1
    return counts


def merge_histograms(histograms: Iterable[Mapping[int, int] | bytes]) -> dict[int, int]:
    """Sum sparse histograms, given as dicts or in their packed form."""
    total: dict[int, int] = {}
    for counts in histograms:
        if isinstance(counts, bytes | bytearray | memoryview):
            counts = unpack_histogram(counts)
        for key, count in counts.items():
            total[int(key)] = total.get(int(key), 0) + int(count)
    return total


_PAIR = struct.Struct("<BI")


def pack_histogram(counts: Mapping[int, int]) -> bytes:
    """5 bytes per non-empty bucket (index, count): a rollup row stays a few dozen bytes."""
    return b"".join(_PAIR.pack(index, count) for index, count in sorted(counts.items()) if count)


def unpack_histogram(data: bytes | memoryview) -> dict[int, int]:
    return dict(iter_packed(data))


def iter_packed(data: bytes | memoryview) -> Iterator[tuple[int, int]]:
    """(bucket index, count) pairs of packed histograms; several may be concatenated."""
    return _PAIR.iter_unpack(bytes(data))


def nearest_rank(values: Sequence[float], q: float) -> float | None:
    """The nearest-rank q-quantile (0 < q <= 1) of `values`; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)), 1) - 1]


def histogram_quantile(counts: Mapping[int, int], q: float) -> int | None:
    """Upper bound (ms) of the bucket holding the nearest-rank q-quantile sample."""
    total = sum(counts.values())
    if total == 0:
        return None
    rank = max(math.ceil(q * total), 1)
    seen = 0
    for index in sorted(counts):
        seen += counts[index]
        if seen >= rank:
            return LATENCY_BUCKETS_MS[index]
    return LATENCY_BUCKETS_MS[max(counts)]


def percentiles(counts: Mapping[int, int]) -> dict[str, int | None]:
    return {f"p{round(q * 100)}": histogram_quantile(counts, q) for q in (0.5, 0.95, 0.99)}
