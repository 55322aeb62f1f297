"""Rollups of stored results and the uptime / latency / budget report built from them."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.monitoring.models import DailyRollup, HourlyRollup, Monitor, ProbeResult, StateChange
from apps.monitoring.reports import monitor_reports, service_uptime
from apps.monitoring.rollups import roll_up
from apps.monitoring.stats import unpack_histogram
from tests.monitoring.conftest import make_monitor

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 10, 12, 30, tzinfo=UTC)


def results(monitor, start, latencies, failures=0):
    rows = [
        ProbeResult(
            monitor=monitor, checked_at=start + timedelta(seconds=i), ok=True, latency_ms=ms
        )
        for i, ms in enumerate(latencies)
    ]
    rows += [
        ProbeResult(
            monitor=monitor, checked_at=start + timedelta(seconds=500 + i), ok=False, error="x"
        )
        for i in range(failures)
    ]
    ProbeResult.objects.bulk_create(rows)


def test_hourly_and_daily_rollups_are_upserted(service):
    m = make_monitor(service, target="http://127.0.0.1:1/")
    results(m, NOW.replace(minute=0) - timedelta(hours=1), [10, 20, 400], failures=1)
    results(m, NOW.replace(minute=0), [5, 6])
    roll_up(now=NOW)
    hours = {r.period_start.hour: r for r in HourlyRollup.objects.filter(monitor=m)}
    assert (hours[11].checks, hours[11].failures, hours[11].latency_sum_ms) == (4, 1, 430)
    assert unpack_histogram(hours[11].latency_histogram) == {5: 1, 7: 1, 15: 1}
    assert hours[12].checks == 2
    assert unpack_histogram(hours[12].latency_histogram) == {3: 1, 4: 1}
    day = DailyRollup.objects.get(monitor=m)
    assert (day.checks, day.failures) == (6, 1)
    assert unpack_histogram(day.latency_histogram) == {3: 1, 4: 1, 5: 1, 7: 1, 15: 1}
    results(m, NOW.replace(minute=0) + timedelta(minutes=20), [7])
    roll_up(now=NOW)  # running again overwrites instead of adding
    assert HourlyRollup.objects.get(monitor=m, period_start__hour=12).checks == 3
    assert DailyRollup.objects.get(monitor=m).checks == 7


def test_report_matches_hand_computed_uptime_and_budget(service):
    service.slo_target = 99
    service.save()
    m = make_monitor(service, target="http://127.0.0.1:1/")
    Monitor.objects.filter(pk=m.pk).update(created_at=NOW - timedelta(days=100), state="up")
    day = NOW - timedelta(hours=24)
    # Last 24 h: down 30 min, maintenance 2 h, paused 100 min, up otherwise.
    StateChange.objects.bulk_create([
        StateChange(monitor=m, at=NOW - timedelta(days=50), previous="pending", current="up"),
        StateChange(monitor=m, at=day + timedelta(minutes=600), previous="up", current="down"),
        StateChange(monitor=m, at=day + timedelta(minutes=630), previous="down", current="maintenance"),  # noqa: E501
        StateChange(monitor=m, at=day + timedelta(minutes=750), previous="maintenance", current="up"),  # noqa: E501
        StateChange(monitor=m, at=day + timedelta(minutes=1000), previous="up", current="paused"),
        StateChange(monitor=m, at=day + timedelta(minutes=1100), previous="paused", current="up"),
    ])  # fmt: skip
    results(m, NOW.replace(minute=0), [12, 15, 18, 40, 45, 90, 120, 130, 800, 2500])
    roll_up(now=NOW)
    m.refresh_from_db()
    m = Monitor.objects.select_related("service").get(pk=m.pk)
    report = monitor_reports([m], now=NOW)[m.id]
    assert report.uptime["24h"] == 1190 / 1220
    counted_30d = 30 * 1440 - 120 - 100  # minutes
    assert report.uptime["30d"] == (counted_30d - 30) / counted_30d
    assert report.error_budget_left == pytest.approx(1 - 30 / (0.01 * counted_30d))
    assert report.latency["24h"] == {"p50": 50, "p95": 3000, "p99": 3000}
    assert report.latency["90d"] == {"p50": 50, "p95": 3000, "p99": 3000}
    assert service_uptime([service], now=NOW)[service.id]["24h"] == 1190 / 1220


def test_new_monitor_counts_only_since_creation(service):
    m = make_monitor(service, target="http://127.0.0.1:1/")
    Monitor.objects.filter(pk=m.pk).update(created_at=NOW - timedelta(hours=2), state="down")
    StateChange.objects.create(
        monitor=m, at=NOW - timedelta(hours=1), previous="up", current="down"
    )
    m = Monitor.objects.select_related("service").get(pk=m.pk)
    report = monitor_reports([m], now=NOW)[m.id]
    assert report.uptime["24h"] == 0.5 and report.uptime["90d"] == 0.5
