"""Backup gauges for /metrics, computed from the database at scrape time (one query)."""

from collections.abc import Iterable

from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from apps.health.metrics import metric_source


@metric_source
def backup_metrics() -> Iterable[Metric]:
    from apps.backups.freshness import with_state
    from apps.backups.models import BackupPolicy, RestoreCheck

    now = timezone.now()
    age = GaugeMetricFamily(
        "portal_backup_newest_good_age_seconds",
        "Seconds since the newest good backup of each policy finished",
        labels=["policy"],
    )
    check_ok = GaugeMetricFamily(
        "portal_backup_restore_check_ok",
        "1 when the last restore check of each policy passed, 0 when it failed",
        labels=["policy"],
    )
    check_age = GaugeMetricFamily(
        "portal_backup_restore_check_age_seconds",
        "Seconds since the last restore check of each policy finished",
        labels=["policy"],
    )
    size = GaugeMetricFamily(
        "portal_backup_newest_good_size_bytes",
        "Size of the newest good backup file of each policy (watch it for sudden changes)",
        labels=["policy"],
    )
    duration = GaugeMetricFamily(
        "portal_backup_newest_good_duration_seconds",
        "How long the newest good backup of each policy took",
        labels=["policy"],
    )
    for policy in with_state(BackupPolicy.objects.filter(enabled=True)):
        if policy.newest_good_at is not None:
            age.add_metric([policy.name], (now - policy.newest_good_at).total_seconds())
            size.add_metric([policy.name], float(policy.newest_good_size or 0))
            if policy.newest_good_started is not None:
                took = (policy.newest_good_at - policy.newest_good_started).total_seconds()
                duration.add_metric([policy.name], took)
        if policy.last_check_status is not None:
            ok = policy.last_check_status == RestoreCheck.Status.PASSED
            check_ok.add_metric([policy.name], 1.0 if ok else 0.0)
            check_age.add_metric([policy.name], (now - policy.last_check_at).total_seconds())
    yield age
    yield size
    yield duration
    yield check_ok
    yield check_age
