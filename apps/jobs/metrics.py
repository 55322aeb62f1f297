"""Job gauges for /metrics, computed from JobRun rows at scrape time."""

from collections.abc import Iterable

from django.db.models import Count, Max
from prometheus_client.core import GaugeMetricFamily, Metric

from apps.health.metrics import metric_source
from apps.jobs.models import JobRun


@metric_source
def job_metrics() -> Iterable[Metric]:
    runs = GaugeMetricFamily(
        "portal_job_runs", "Job runs kept, by kind and status", labels=["kind", "status"]
    )
    for row in JobRun.objects.values("kind", "status").annotate(n=Count("id")).order_by():
        runs.add_metric([row["kind"], row["status"]], row["n"])
    yield runs
    last = GaugeMetricFamily(
        "portal_job_last_success_timestamp_seconds",
        "When the newest successful run of each job finished",
        labels=["kind"],
    )
    finished = (
        JobRun.objects.filter(status=JobRun.Status.SUCCEEDED)
        .values("kind")
        .annotate(at=Max("finished_at"))
        .order_by()
    )
    for row in finished:
        last.add_metric([row["kind"]], row["at"].timestamp())
    yield last
    duration = GaugeMetricFamily(
        "portal_job_last_duration_seconds", "Duration of the newest finished run", labels=["kind"]
    )
    from apps.jobs.triggers import last_runs

    for kind, run in last_runs().items():
        if run.duration is not None:
            duration.add_metric([kind], run.duration.total_seconds())
    yield duration
