"""One service's page: latency over a chosen period, daily uptime bars, monitors, incidents,
maintenance windows, backups and deployments."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from apps.backups.freshness import with_state
from apps.backups.models import BackupPolicy, BackupRun
from apps.dashboards import charts
from apps.dashboards.latency import histogram_sums
from apps.dashboards.uptime import day_spans, service_spans
from apps.incidents.maintenance import active_windows
from apps.incidents.models import Incident, MaintenanceWindow
from apps.monitoring.models import Monitor, Service
from apps.monitoring.reports import monitor_reports
from apps.monitoring.stats import histogram_quantile

# period name -> (length, use daily rollups, x-axis label format)
PERIODS: dict[str, tuple[timedelta, bool, str]] = {
    "24h": (timedelta(hours=24), False, "%H:%M"),
    "7d": (timedelta(days=7), False, "%a %d"),
    "30d": (timedelta(days=30), True, "%b %d"),
}
DEFAULT_PERIOD = "24h"
BAR_DAYS = 30


@dataclass
class ServicePage:
    service: Service
    period: str
    chart: charts.LineChart
    bars: list[charts.Bar]
    days_below_slo: list[str]
    monitors: list[Monitor]
    reports: dict
    incidents: list[Incident]
    windows: list[MaintenanceWindow]
    active_window_ids: set[int]
    policies: list[BackupPolicy]
    runs: list[BackupRun]
    deployments: list | None  # None: the routines app offers no timeline


def latency_series(
    service: Service, period: str, *, now: datetime
) -> tuple[list[tuple[datetime, int | None]], datetime]:
    length, daily, _ = PERIODS[period]
    step = timedelta(days=1) if daily else timedelta(hours=1)
    start = now - length
    start = start.replace(minute=0, second=0, microsecond=0)
    if daily:
        start = start.replace(hour=0)
    sums = histogram_sums(daily=daily, since=start, by="period", service_id=service.id)
    samples = []
    at = start
    while at <= now:
        counts = sums.get(at)
        samples.append((at, histogram_quantile(counts, 0.95) if counts else None))
        at += step
    return samples, start


def uptime_days(service: Service, *, days: int, now: datetime) -> list[tuple[str, float | None]]:
    spans = service_spans([service.id], day_spans(days, now=now))[service.id]
    return [(f"{s.start:%Y-%m-%d}", s.uptime) for s in spans]


def build(service: Service, period: str, *, now: datetime) -> ServicePage:
    samples, start = latency_series(service, period, now=now)
    chart = charts.latency_chart(samples, start=start, end=now, x_format=PERIODS[period][2])
    days = uptime_days(service, days=BAR_DAYS, now=now)
    slo = float(service.slo_target)
    bars = charts.uptime_bars(days, slo_percent=slo)
    below = [b.label for b in bars if b.css in (charts.WARN, charts.BAD)]
    monitors = list(service.monitors.order_by("name", "id"))
    for monitor in monitors:
        monitor.service = service  # monitor_reports reads the SLO from it; no extra query
    windows = list(
        service.maintenance_windows.filter(Q(ends_at__isnull=True) | Q(ends_at__gte=now)).order_by(
            "starts_at"
        )[:20]
    )
    active = {w.id for w in active_windows(now)}
    policies = list(with_state(service.backup_policies.all()))
    return ServicePage(
        service=service,
        period=period,
        chart=chart,
        bars=bars,
        days_below_slo=below,
        monitors=monitors,
        reports=monitor_reports(monitors, now=now),
        incidents=list(
            service.incidents.filter(
                Q(resolved_at__isnull=True) | Q(opened_at__gte=now - timedelta(days=BAR_DAYS))
            ).order_by("-opened_at")[:20]
        ),
        windows=windows,
        active_window_ids=active,
        policies=policies,
        runs=list(BackupRun.objects.filter(policy__service=service).select_related("policy")[:10]),
        deployments=_deployments(service, start, now),
    )


def _deployments(service: Service, since: datetime, until: datetime) -> list | None:
    try:
        from apps.routines.deployments import timeline_for_service
    except ImportError:
        return None
    return timeline_for_service(service, since, until)
