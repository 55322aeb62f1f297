"""The monthly availability report: per service, uptime against the SLO target, incidents
with their durations and MTTR, backups and restore checks; as a page, a CSV and an email."""

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Count, Q

from apps.backups.models import BackupRun, RestoreCheck
from apps.core.errors import PortalError
from apps.dashboards.uptime import service_spans
from apps.incidents.models import Incident
from apps.monitoring.models import Service
from apps.monitoring.state import DOWN
from apps.monitoring.stats import uptime_ratio

log = logging.getLogger(__name__)

CSV_COLUMNS = [
    "service",
    "slug",
    "slo_target_percent",
    "uptime_percent",
    "slo_met",
    "downtime_minutes",
    "incidents",
    "incident_minutes",
    "mttr_minutes",
    "backups_succeeded",
    "backups_failed",
    "restore_checks_passed",
    "restore_checks_failed",
]


@dataclass
class IncidentLine:
    incident: Incident
    minutes: float | None  # None while still open


@dataclass
class ServiceMonth:
    service: Service
    uptime: float | None
    downtime_seconds: float
    incidents: list[IncidentLine] = field(default_factory=list)
    backups_succeeded: int = 0
    backups_failed: int = 0
    checks_passed: int = 0
    checks_failed: int = 0

    @property
    def slo_met(self) -> bool | None:
        return None if self.uptime is None else self.uptime * 100 >= float(self.service.slo_target)

    @property
    def mttr_minutes(self) -> float | None:
        """Mean minutes to resolve over the incidents resolved (opened in this month)."""
        done = [line.minutes for line in self.incidents if line.minutes is not None]
        return sum(done) / len(done) if done else None

    @property
    def incident_minutes(self) -> float:
        return sum(line.minutes or 0 for line in self.incidents)


@dataclass
class MonthReport:
    start: datetime
    end: datetime
    complete: bool  # False for the month still running
    services: list[ServiceMonth]

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m}"


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    if not (1 <= month <= 12 and 2000 <= year <= 9999):
        raise PortalError(f"no such month: {year}-{month:02d}", fields={"month": "use YYYY-MM"})
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def previous_month(now: datetime) -> tuple[int, int]:
    first = now.astimezone(UTC).replace(day=1)
    last = first - timedelta(days=1)
    return last.year, last.month


def parse_month(text: str) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in text.split("-"))
    except ValueError as exc:
        raise PortalError(f"not a month: {text!r}", fields={"month": "use YYYY-MM"}) from exc
    month_bounds(year, month)
    return year, month


def build(year: int, month: int, *, now: datetime) -> MonthReport:
    start, end = month_bounds(year, month)
    if start > now:
        raise PortalError(f"{year}-{month:02d} has not started yet", fields={"month": "future"})
    until = min(end, now)
    services = list(Service.objects.order_by("name", "id"))
    spans = service_spans([s.id for s in services], [(start, until)])
    rows = {
        s.id: ServiceMonth(
            s, uptime_ratio(spans[s.id][0].seconds), spans[s.id][0].seconds.get(DOWN, 0.0)
        )
        for s in services
    }
    incidents = (
        Incident.objects.filter(opened_at__lt=until)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=start))
        .prefetch_related("services")
        .order_by("opened_at")
    )
    for incident in incidents:
        minutes = (
            (incident.resolved_at - incident.opened_at).total_seconds() / 60
            if incident.resolved_at
            else None
        )
        for service in incident.services.all():
            if service.id in rows:
                rows[service.id].incidents.append(IncidentLine(incident, minutes))
    _add_backup_counts(rows, start, until)
    return MonthReport(start, end, end <= now, list(rows.values()))


def _add_backup_counts(rows: dict[int, ServiceMonth], start: datetime, until: datetime) -> None:
    ok, failed = BackupRun.Status.SUCCEEDED, BackupRun.Status.FAILED
    for sid, good, bad in (
        BackupRun.objects.filter(finished_at__gte=start, finished_at__lt=until)
        .values("policy__service_id")
        .annotate(good=Count("id", filter=Q(status=ok)), bad=Count("id", filter=Q(status=failed)))
        .values_list("policy__service_id", "good", "bad")
    ):
        if sid in rows:
            rows[sid].backups_succeeded, rows[sid].backups_failed = good, bad
    passed, failed = RestoreCheck.Status.PASSED, RestoreCheck.Status.FAILED
    for sid, good, bad in (
        RestoreCheck.objects.filter(finished_at__gte=start, finished_at__lt=until)
        .values("policy__service_id")
        .annotate(
            good=Count("id", filter=Q(status=passed)), bad=Count("id", filter=Q(status=failed))
        )
        .values_list("policy__service_id", "good", "bad")
    ):
        if sid in rows:
            rows[sid].checks_passed, rows[sid].checks_failed = good, bad


def _num(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def csv_rows(report: MonthReport) -> list[list[str]]:
    out = [CSV_COLUMNS]
    for row in report.services:
        out.append(
            [
                row.service.name,
                row.service.slug,
                f"{row.service.slo_target}",
                _num(None if row.uptime is None else row.uptime * 100, 4),
                "" if row.slo_met is None else ("yes" if row.slo_met else "no"),
                _num(row.downtime_seconds / 60, 1),
                str(len(row.incidents)),
                _num(row.incident_minutes, 1),
                _num(row.mttr_minutes, 1),
                str(row.backups_succeeded),
                str(row.backups_failed),
                str(row.checks_passed),
                str(row.checks_failed),
            ]
        )
    return out


def to_csv(report: MonthReport) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(csv_rows(report))
    return buffer.getvalue()


def summary_text(report: MonthReport) -> str:
    lines = [f"Availability report {report.label} (UTC)", ""]
    for row in report.services:
        uptime = "no data" if row.uptime is None else f"{row.uptime * 100:.3f} %"
        verdict = {True: "met", False: "MISSED", None: "-"}[row.slo_met]
        mttr = "-" if row.mttr_minutes is None else f"{row.mttr_minutes:.0f} min"
        lines.append(
            f"{row.service.name}: uptime {uptime} (SLO {row.service.slo_target} %: {verdict}), "
            f"{len(row.incidents)} incidents, MTTR {mttr}, backups {row.backups_succeeded} ok / "
            f"{row.backups_failed} failed, restore checks {row.checks_passed} passed / "
            f"{row.checks_failed} failed"
        )
    lines += ["", "The CSV attached has the same figures, one row per service."]
    return "\n".join(lines)


def email_report(*, now: datetime, year: int | None = None, month: int | None = None) -> int:
    """Email the report (last month by default) to REPORT_RECIPIENTS; returns mails sent."""
    recipients = list(settings.REPORT_RECIPIENTS)
    if not recipients:
        log.warning("availability report not sent: REPORT_RECIPIENTS is empty")
        return 0
    if year is None or month is None:
        year, month = previous_month(now)
    report = build(year, month, now=now)
    message = EmailMessage(
        subject=f"Availability report {report.label}",
        body=summary_text(report),
        to=recipients,
    )
    message.attach(f"availability-{report.label}.csv", to_csv(report), "text/csv")
    return message.send()
