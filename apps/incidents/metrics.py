"""Portal gauges of the incidents app, computed from the database at scrape time."""

from collections.abc import Iterable

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily, Metric

from apps.health.metrics import metric_source
from apps.incidents.models import Incident, Severity


@metric_source
def incident_metrics() -> Iterable[Metric]:
    counts = dict(
        Incident.objects.open().values_list("severity").annotate(n=Count("id")).order_by()
    )
    gauge = GaugeMetricFamily(
        "portal_incidents_open", "Open incidents by severity", labels=["severity"]
    )
    for severity in Severity.values:
        gauge.add_metric([severity], counts.get(severity, 0))
    yield gauge
    unacked = Incident.objects.open().filter(acknowledged_at__isnull=True).count()
    yield GaugeMetricFamily(
        "portal_incidents_unacknowledged", "Open incidents nobody acknowledged", value=unacked
    )
