"""The overview: every service in one table, plus the portal's own health.

A fixed number of queries whatever the number of services (a test holds it to that): one per
kind of fact, joined in Python by service id.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count

from apps.backups.freshness import with_state
from apps.backups.models import BackupPolicy
from apps.dashboards.latency import p95_by_service
from apps.health import checks
from apps.incidents.models import Incident
from apps.jobs.models import JobRun
from apps.monitoring.models import Service
from apps.monitoring.reports import service_uptime


@dataclass
class ServiceRow:
    service: Service
    uptime_24h: float | None = None
    uptime_30d: float | None = None
    p95_ms: int | None = None
    open_incidents: int = 0
    newest_backup_at: datetime | None = None
    backup_policies: int = 0
    last_check_at: datetime | None = None
    last_check_status: str | None = None

    @property
    def backup_age(self) -> timedelta | None:
        return None if self.newest_backup_at is None else self._now - self.newest_backup_at

    _now: datetime = field(default=None, repr=False)  # type: ignore[assignment]


@dataclass
class PortalHealth:
    workers: checks.Component
    beat: checks.Component
    queues: dict[str, int] | None
    queues_error: str = ""

    @property
    def ok(self) -> bool:
        return self.workers.ok and self.beat.ok and self.queues is not None


@dataclass
class Overview:
    now: datetime
    rows: list[ServiceRow]
    last_maintenance: JobRun | None
    health: PortalHealth

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row.service.state] = counts.get(row.service.state, 0) + 1
        return counts


def portal_health(*, now: datetime) -> PortalHealth:
    try:
        queues, error = checks.queue_depths(), ""
    except Exception as exc:  # noqa: BLE001 - any broker failure is shown, not raised
        queues, error = None, checks._error(exc)
    return PortalHealth(checks.check_workers(now), checks.check_beat(now), queues, error)


def build(*, now: datetime) -> Overview:
    services = list(Service.objects.order_by("name", "id"))
    rows = {s.id: ServiceRow(service=s, _now=now) for s in services}
    for sid, uptime in service_uptime(services, now=now, windows=("24h", "30d")).items():
        rows[sid].uptime_24h, rows[sid].uptime_30d = uptime["24h"], uptime["30d"]
    since = (now - timedelta(hours=24)).replace(minute=0, second=0, microsecond=0)
    for sid, p95 in p95_by_service(since=since).items():
        if sid in rows:
            rows[sid].p95_ms = p95
    open_counts = (
        Incident.services.through.objects.exclude(incident__status=Incident.Status.RESOLVED)
        .values("service_id")
        .annotate(n=Count("incident_id", distinct=True))
        .values_list("service_id", "n")
    )
    for sid, n in open_counts:
        rows[sid].open_incidents = n
    _add_backups(rows)
    last_maintenance = JobRun.objects.filter(kind=JobRun.Kind.MAINTENANCE).first()
    return Overview(now, list(rows.values()), last_maintenance, portal_health(now=now))


def _add_backups(rows: dict[int, ServiceRow]) -> None:
    """Newest good backup and newest finished restore check over each service's policies."""
    policies = with_state(BackupPolicy.objects.filter(service__isnull=False, enabled=True))
    for sid, newest, check_at, check_status in policies.values_list(
        "service_id", "newest_good_at", "last_check_at", "last_check_status"
    ):
        row = rows.get(sid)
        if row is None:
            continue
        row.backup_policies += 1
        if newest and (row.newest_backup_at is None or newest > row.newest_backup_at):
            row.newest_backup_at = newest
        if check_at and (row.last_check_at is None or check_at > row.last_check_at):
            row.last_check_at, row.last_check_status = check_at, check_status
