"""Uptime, latency percentiles and error budget per monitor and per service, in bulk.

A fixed number of queries whatever the number of monitors: state changes for the longest
window, then hourly rollups (24 h, 7 d) and daily rollups (30 d, 90 d, whole UTC days).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from apps.monitoring.models import DailyRollup, HourlyRollup, Monitor, Service, StateChange
from apps.monitoring.stats import (
    WINDOWS,
    error_budget_left,
    merge_histograms,
    percentiles,
    state_seconds,
    uptime_ratio,
)

HOURLY_WINDOWS = ("24h", "7d")
BUDGET_WINDOW = "30d"


@dataclass
class Report:
    uptime: dict[str, float | None] = field(default_factory=dict)
    latency: dict[str, dict[str, int | None]] = field(default_factory=dict)
    seconds: dict[str, dict[str, float]] = field(default_factory=dict)
    error_budget_left: float | None = None


def monitor_seconds(
    monitors: Iterable[Monitor], *, now: datetime, windows: Iterable[str] = tuple(WINDOWS)
) -> dict[int, dict[str, dict[str, float]]]:
    """Seconds per state per window for each monitor (two queries)."""
    monitors = list(monitors)
    windows = list(windows)
    oldest = now - max(WINDOWS[w] for w in windows)
    changes: dict[int, list[tuple[datetime, str, str]]] = {m.id: [] for m in monitors}
    for mid, at, previous, current in (
        StateChange.objects.filter(monitor__in=[m.id for m in monitors], at__gt=oldest)
        .order_by("at", "id")
        .values_list("monitor_id", "at", "previous", "current")
    ):
        changes[mid].append((at, previous, current))
    out: dict[int, dict[str, dict[str, float]]] = {}
    for m in monitors:
        rows = changes[m.id]
        # The state in force before the first change in range is that change's "previous".
        initial = rows[0][1] if rows else m.state
        pairs = [(at, current) for at, _prev, current in rows]
        out[m.id] = {
            name: state_seconds(pairs, initial, max(now - WINDOWS[name], m.created_at), now)
            for name in windows
        }
    return out


def monitor_latency(
    monitor_ids: list[int], *, now: datetime, windows: Iterable[str] = tuple(WINDOWS)
) -> dict[int, dict[str, dict[str, int | None]]]:
    out: dict[int, dict[str, dict[str, int | None]]] = {mid: {} for mid in monitor_ids}
    for name in windows:
        model = HourlyRollup if name in HOURLY_WINDOWS else DailyRollup
        start = now - WINDOWS[name]
        if model is DailyRollup:
            start = start.replace(hour=0, minute=0, second=0, microsecond=0)
        else:
            start = start.replace(minute=0, second=0, microsecond=0)
        hist: dict[int, list] = {mid: [] for mid in monitor_ids}
        for mid, h in model.objects.filter(
            monitor__in=monitor_ids, period_start__gte=start
        ).values_list("monitor_id", "latency_histogram"):
            hist[mid].append(h)
        for mid in monitor_ids:
            out[mid][name] = percentiles(merge_histograms(hist[mid]))
    return out


def monitor_reports(monitors: Iterable[Monitor], *, now: datetime) -> dict[int, Report]:
    monitors = list(monitors)
    seconds = monitor_seconds(monitors, now=now)
    latency = monitor_latency([m.id for m in monitors], now=now)
    reports = {}
    for m in monitors:
        slo = m.service.slo_target if hasattr(m, "service") else 99.9
        reports[m.id] = Report(
            uptime={w: uptime_ratio(s) for w, s in seconds[m.id].items()},
            latency=latency[m.id],
            seconds=seconds[m.id],
            error_budget_left=error_budget_left(slo, seconds[m.id][BUDGET_WINDOW]),
        )
    return reports


def service_uptime(
    services: Iterable[Service], *, now: datetime, windows: Iterable[str] = ("24h", "30d")
) -> dict[int, dict[str, float | None]]:
    """Uptime per service: its monitors' UP seconds over their UP + DOWN seconds."""
    services = list(services)
    windows = list(windows)
    monitors = list(Monitor.objects.filter(service__in=services))
    seconds = monitor_seconds(monitors, now=now, windows=windows)
    totals: dict[int, dict[str, dict[str, float]]] = {
        s.id: {w: {} for w in windows} for s in services
    }
    for m in monitors:
        for w in windows:
            bucket = totals[m.service_id][w]
            for state, value in seconds[m.id][w].items():
                bucket[state] = bucket.get(state, 0.0) + value
    return {sid: {w: uptime_ratio(totals[sid][w]) for w in windows} for sid in totals}
