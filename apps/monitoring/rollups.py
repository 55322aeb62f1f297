"""Hourly and daily rollups of probe results: counts plus a mergeable latency histogram.

The database groups the results (one query per hour rolled up); the latency bucket is a
CASE over LATENCY_BUCKETS_MS, so SQLite and PostgreSQL compute the same thing. Re-rolling a
period overwrites its row (upsert), so running this often and late is harmless.
"""

from datetime import datetime, timedelta

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When

from apps.monitoring.models import DailyRollup, HourlyRollup, ProbeResult
from apps.monitoring.stats import LATENCY_BUCKETS_MS, merge_histograms, pack_histogram

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
_FIELDS = ["checks", "failures", "latency_sum_ms", "latency_histogram"]


def _bucket() -> Case:
    whens = [
        When(ok=True, latency_ms__lte=bound, then=Value(index))
        for index, bound in enumerate(LATENCY_BUCKETS_MS)
    ]
    last = Value(len(LATENCY_BUCKETS_MS) - 1)
    return Case(*whens, When(ok=True, then=last), default=Value(-1), output_field=IntegerField())


def roll_up_hour(start: datetime) -> int:
    """(Re)compute the hourly rollup rows of the hour beginning at `start`."""
    rows = (
        ProbeResult.objects.filter(checked_at__gte=start, checked_at__lt=start + HOUR)
        .annotate(bucket=_bucket())
        .values("monitor_id", "bucket")
        .annotate(n=Count("*"), latency=Sum("latency_ms", filter=Q(ok=True)))
        .order_by()
    )
    per_monitor: dict[int, HourlyRollup] = {}
    histograms: dict[int, dict[int, int]] = {}
    for row in rows:
        rollup = per_monitor.setdefault(
            row["monitor_id"], HourlyRollup(monitor_id=row["monitor_id"], period_start=start)
        )
        rollup.checks += row["n"]
        if row["bucket"] < 0:
            rollup.failures += row["n"]
        else:
            histograms.setdefault(row["monitor_id"], {})[row["bucket"]] = row["n"]
            rollup.latency_sum_ms += row["latency"] or 0
    for monitor_id, rollup in per_monitor.items():
        rollup.latency_histogram = pack_histogram(histograms.get(monitor_id, {}))
    HourlyRollup.objects.bulk_create(
        per_monitor.values(),
        update_conflicts=True,
        unique_fields=["monitor", "period_start"],
        update_fields=_FIELDS,
        batch_size=1000,
    )
    return len(per_monitor)


def roll_up_day(start: datetime) -> int:
    """(Re)compute the daily rows of the day beginning at `start` from its hourly rows."""
    per_monitor: dict[int, DailyRollup] = {}
    histograms: dict[int, list[bytes]] = {}
    hourly = HourlyRollup.objects.filter(period_start__gte=start, period_start__lt=start + DAY)
    for hour in hourly.values("monitor_id", *_FIELDS).order_by():
        day = per_monitor.setdefault(
            hour["monitor_id"], DailyRollup(monitor_id=hour["monitor_id"], period_start=start)
        )
        day.checks += hour["checks"]
        day.failures += hour["failures"]
        day.latency_sum_ms += hour["latency_sum_ms"]
        histograms.setdefault(hour["monitor_id"], []).append(hour["latency_histogram"])
    for monitor_id, day in per_monitor.items():
        day.latency_histogram = pack_histogram(merge_histograms(histograms[monitor_id]))
    DailyRollup.objects.bulk_create(
        per_monitor.values(),
        update_conflicts=True,
        unique_fields=["monitor", "period_start"],
        update_fields=_FIELDS,
        batch_size=1000,
    )
    return len(per_monitor)


def roll_up(*, now: datetime, hours: int = 2) -> int:
    """Roll up the current and the previous `hours - 1` hours, and the days they touch."""
    current = now.replace(minute=0, second=0, microsecond=0)
    starts = [current - HOUR * back for back in range(hours)]
    rows = sum(roll_up_hour(start) for start in starts)
    days = {start.replace(hour=0) for start in starts}
    return rows + sum(roll_up_day(day) for day in sorted(days))
