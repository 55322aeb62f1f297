"""Prometheus gauges of services and monitors, computed from the database at scrape time."""

from collections.abc import Iterable

from django.db.models import Avg, Count
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from apps.health.metrics import metric_source


@metric_source
def monitoring_metrics() -> Iterable[Metric]:
    from apps.monitoring.models import Monitor, Service

    services = GaugeMetricFamily("portal_services", "Services by state", labels=["state"])
    counts = dict(Service.objects.values_list("state").annotate(n=Count("id")).order_by())
    for state in Service.State.values:
        services.add_metric([state], counts.get(state, 0))
    yield services
    monitors = GaugeMetricFamily(
        "portal_monitors", "Monitors by kind and state", labels=["kind", "state"]
    )
    for kind, state, n in (
        Monitor.objects.values_list("kind", "state").annotate(n=Count("id")).order_by()
    ):
        monitors.add_metric([kind, state], n)
    yield monitors
    latency = GaugeMetricFamily(
        "portal_probe_latency_ms", "Mean latest probe latency per kind (ms)", labels=["kind"]
    )
    for kind, avg in (
        Monitor.objects.filter(last_latency_ms__isnull=False)
        .values_list("kind")
        .annotate(avg=Avg("last_latency_ms"))
        .order_by()
    ):
        latency.add_metric([kind], float(avg))
    yield latency
    overdue = Monitor.objects.filter(
        next_due_at__lt=timezone.now() - timezone.timedelta(seconds=60),
        kind__in=("http", "tcp", "postgres", "redis"),
    ).exclude(state=Monitor.State.PAUSED)
    yield GaugeMetricFamily(
        "portal_probes_overdue", "Probe monitors more than 60 s past their due time",
        value=overdue.count(),
    )  # fmt: skip
