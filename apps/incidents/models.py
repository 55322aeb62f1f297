"""Incidents, maintenance windows, notification channels and resource alert rules."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.incidents.windows import Recurrence, validate_recurrence


class Severity(models.TextChoices):
    SEV1 = "SEV1", "SEV1 (critical)"
    SEV2 = "SEV2", "SEV2 (major)"
    SEV3 = "SEV3", "SEV3 (minor)"
    SEV4 = "SEV4", "SEV4 (low)"


def severity_rank(severity: str) -> int:
    """1 for SEV1 (worst) .. 4 for SEV4; lower is more severe."""
    return int(severity[-1])


class IncidentQuerySet(models.QuerySet):
    def open(self) -> "IncidentQuerySet":
        return self.exclude(status=Incident.Status.RESOLVED)


class Incident(models.Model):
    class Status(models.TextChoices):
        INVESTIGATING = "investigating"
        IDENTIFIED = "identified"
        MONITORING = "monitoring"
        RESOLVED = "resolved"

    title = models.CharField(max_length=300)
    severity = models.CharField(
        max_length=4, choices=Severity.choices, default=Severity.SEV2, db_index=True
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.INVESTIGATING, db_index=True
    )
    services = models.ManyToManyField(
        "monitoring.Service",
        blank=True,
        related_name="incidents",
        help_text="Affected services: the root cause's service and the ones impacted through "
        "dependencies.",
    )
    cause = models.CharField(
        max_length=200,
        blank=True,
        db_index=True,
        help_text='What opened it automatically ("monitor:42", "backup:policy:7", '
        '"alertmanager:<fingerprint>"); empty for incidents opened by hand.',
    )
    automatic = models.BooleanField(default=False, editable=False)
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True, db_index=True)
    postmortem = models.TextField(blank=True)
    last_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    notifications_sent = models.PositiveIntegerField(default=0, editable=False)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            # The one guarantee against duplicate automatic incidents: two workers seeing the
            # same failure at the same moment cannot both insert an open row for the cause.
            models.UniqueConstraint(
                fields=["cause"],
                condition=~Q(status="resolved") & ~Q(cause=""),
                name="incident_one_open_per_cause",
            ),
            models.CheckConstraint(
                condition=Q(status="resolved", resolved_at__isnull=False)
                | (~Q(status="resolved") & Q(resolved_at__isnull=True)),
                name="incident_resolved_at_iff_resolved",
            ),
        ]
        indexes = [
            models.Index(
                fields=["last_notified_at"],
                condition=Q(acknowledged_at__isnull=True) & ~Q(status="resolved"),
                name="incident_escalation_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.severity} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.RESOLVED

    @property
    def time_to_acknowledge(self) -> timedelta | None:
        if self.acknowledged_at is None:
            return None
        return self.acknowledged_at - self.opened_at

    @property
    def time_to_resolve(self) -> timedelta | None:
        if self.resolved_at is None:
            return None
        return self.resolved_at - self.opened_at


class IncidentUpdate(models.Model):
    """One timeline entry: who said what, when, and the status it set."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(max_length=20, choices=Incident.Status.choices, blank=True)
    text = models.TextField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["incident", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.text[:60]}"


class MaintenanceWindow(models.Model):
    """A period (one-off or recurring) during which its services raise no incident.

    One-off: active from `starts_at` until `ends_at`. Recurring (cron or RRULE, evaluated in
    `tz`): each occurrence lasts `duration`; occurrences start no earlier than
    `starts_at` and, when `ends_at` is set, before it.
    """

    name = models.CharField(max_length=200)
    services = models.ManyToManyField(
        "monitoring.Service", related_name="maintenance_windows", blank=False
    )
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField(
        null=True, blank=True, help_text="Required for one-off windows; optional end of a series."
    )
    recurrence_kind = models.CharField(
        max_length=10, choices=Recurrence.choices, default=Recurrence.NONE
    )
    recurrence = models.CharField(
        max_length=300,
        blank=True,
        help_text='Cron expression ("0 2 * * 0") or RRULE ("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2").',
    )
    duration = models.DurationField(
        null=True, blank=True, help_text="Length of each occurrence of a recurring window."
    )
    tz = models.CharField("time zone", max_length=64, default="UTC")
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = validate_recurrence(
            kind=self.recurrence_kind,
            expression=self.recurrence,
            tz=self.tz,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            duration=self.duration,
        )
        if errors:
            raise ValidationError(errors)


class Channel(models.Model):
    """Where notifications go: an email list, a signed generic webhook or a Slack webhook."""

    class Kind(models.TextChoices):
        EMAIL = "email"
        WEBHOOK = "webhook", "generic webhook (HMAC-signed JSON)"
        SLACK = "slack", "Slack-compatible webhook"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    target = models.TextField(
        help_text="Email addresses (comma-separated) or the webhook URL (http/https)."
    )
    secret = models.CharField(
        max_length=200, blank=True, help_text="HMAC-SHA256 key of a generic webhook."
    )
    enabled = models.BooleanField(default=True)
    last_tested_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from apps.incidents.channels import validate_target

        errors = validate_target(self.kind, self.target, self.secret)
        if errors:
            raise ValidationError(errors)


class Route(models.Model):
    """Who gets what: incidents of these services (all if none) at or above a severity."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="routes")
    services = models.ManyToManyField(
        "monitoring.Service", blank=True, help_text="Empty means every service."
    )
    min_severity = models.CharField(
        max_length=4,
        choices=Severity.choices,
        default=Severity.SEV4,
        help_text="Notify for this severity and worse (SEV1 is the worst).",
    )
    include_unassigned = models.BooleanField(
        default=True, help_text="Also notify incidents without a service (host alerts, intake)."
    )

    class Meta:
        ordering = ["channel__name", "id"]

    def __str__(self) -> str:
        return f"{self.channel} (>= {self.min_severity})"


class NotificationDelivery(models.Model):
    """One attempt to deliver one notification through one channel."""

    class Event(models.TextChoices):
        OPENED = "opened"
        RESOLVED = "resolved"
        ESCALATION = "escalation"
        TEST = "test"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=12, choices=Event.choices)
    attempt = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    ok = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "notification deliveries"

    def __str__(self) -> str:
        outcome = "ok" if self.ok else "failed"
        return f"{self.channel} {self.event} #{self.attempt} {outcome}"


class ResourceRule(models.Model):
    """A threshold on the portal's own host or database, sampled by a periodic task."""

    class Metric(models.TextChoices):
        CPU = "cpu", "CPU %"
        MEMORY = "memory", "memory %"
        DISK = "disk", "disk used % (of the path)"
        DB_CONNECTIONS = "db_connections", "database connections % of max_connections"

    key = models.SlugField(max_length=50, unique=True, help_text='Cause is "resource:<key>".')
    metric = models.CharField(max_length=20, choices=Metric.choices)
    threshold = models.FloatField(help_text="Percent; above it counts as a breach.")
    for_duration = models.DurationField(
        default=timedelta(0), help_text="How long the breach must last before an incident."
    )
    path = models.CharField(max_length=300, blank=True, help_text="Disk rules: the mount path.")
    severity = models.CharField(max_length=4, choices=Severity.choices, default=Severity.SEV2)
    enabled = models.BooleanField(default=True)
    breaching_since = models.DateTimeField(null=True, blank=True, editable=False)
    last_value = models.FloatField(null=True, blank=True, editable=False)
    last_evaluated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} > {self.threshold:g}"

    @property
    def cause(self) -> str:
        return f"resource:{self.key}"
