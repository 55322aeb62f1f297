"""Operator routines: recurring checklists, runbooks and deploy events."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.routines import periods


def validate_time_zone(value: str) -> None:
    if value not in periods.valid_zone_names():
        raise ValidationError(f"unknown time zone {value!r} (use e.g. 'America/Sao_Paulo')")


class Checklist(models.Model):
    """A routine someone must go through every period (daily, weekly, monthly or cron)."""

    class Recurrence(models.TextChoices):
        DAILY = periods.DAILY
        WEEKLY = periods.WEEKLY, "weekly (Monday to Sunday)"
        MONTHLY = periods.MONTHLY
        CRON = periods.CRON, "cron expression"

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    recurrence = models.CharField(
        max_length=10, choices=Recurrence.choices, default=Recurrence.DAILY
    )
    cron_expression = models.CharField(
        max_length=100,
        blank=True,
        help_text="Only for the cron recurrence: each firing starts a period, e.g. '0 9 * * 1-5'.",
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="Periods follow local midnight (or the cron) in this zone.",
    )
    grace = models.DurationField(
        default=timedelta(0), help_text="How long after its period ends an occurrence is overdue."
    )
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="routine_checklists",
    )
    responsible_group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="routine_checklists"
    )
    severity = models.CharField(
        max_length=4,
        default="SEV3",
        choices=[(f"SEV{n}", f"SEV{n}") for n in range(1, 5)],
        help_text="Severity of the incident opened when an occurrence is overdue.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            periods.cron_for(self.recurrence, self.cron_expression)
        except periods.RecurrenceError as exc:
            raise ValidationError({"cron_expression": str(exc)}) from exc
        if self.recurrence != self.Recurrence.CRON and self.cron_expression.strip():
            raise ValidationError({"cron_expression": "only the cron recurrence takes one"})

    def period_at(self, now: datetime) -> periods.Period:
        return periods.period_at(
            now,
            recurrence=self.recurrence,
            time_zone=self.time_zone,
            cron_expression=self.cron_expression,
        )

    @property
    def responsible(self) -> str:
        names = [str(x) for x in (self.responsible_user, self.responsible_group) if x]
        return " / ".join(names) or "-"


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    link = models.URLField(blank=True, help_text="Where to look (a dashboard, a log viewer).")
    instructions = models.TextField(blank=True, help_text="How to do it (markdown).")
    evidence = models.CharField(
        max_length=40,
        blank=True,
        help_text="The portal ticks this item itself when it can prove it (leave empty for "
        "items a person ticks).",
    )

    class Meta:
        ordering = ["checklist", "position", "id"]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        from apps.routines.evidence import PROVIDERS

        if self.evidence and self.evidence not in PROVIDERS:
            known = ", ".join(sorted(PROVIDERS))
            raise ValidationError({"evidence": f"unknown evidence {self.evidence!r}: use {known}"})


class OccurrenceQuerySet(models.QuerySet):
    def open(self) -> "OccurrenceQuerySet":
        return self.filter(completed_at__isnull=True)

    def overdue(self, now: datetime) -> "OccurrenceQuerySet":
        return self.open().filter(due_at__lte=now)


class Occurrence(models.Model):
    """One period of a checklist; its items are copied so later edits never rewrite history."""

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="occurrences")
    period = models.CharField(max_length=30, help_text="e.g. 2026-03-14, 2026-W11, 2026-03.")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "checklist__name"]
        constraints = [
            # The beat may run twice (or two beats at once): one occurrence per period anyway.
            models.UniqueConstraint(
                fields=["checklist", "period"], name="occurrence_one_per_period"
            )
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(completed_at__isnull=True),
                name="occurrence_open_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.checklist} {self.period}"

    @property
    def cause(self) -> str:
        """The incident cause an overdue occurrence reports under."""
        return f"checklist:{self.checklist_id}:{self.period}"


class OccurrenceItem(models.Model):
    """One item of one occurrence: ticked by a person (who, when) or by evidence."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(
        ChecklistItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="ticks"
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    link = models.URLField(blank=True)
    instructions = models.TextField(blank=True)
    evidence_kind = models.CharField(max_length=40, blank=True)
    ticked_at = models.DateTimeField(null=True, blank=True)
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="routine_ticks",
    )
    evidence_summary = models.CharField(max_length=300, blank=True)
    evidence_url = models.CharField(max_length=500, blank=True)
    evidence_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    evidence_id = models.CharField(max_length=64, blank=True)
    evidence_object = GenericForeignKey("evidence_type", "evidence_id")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["occurrence", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "item"], name="occurrence_item_once")
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def done(self) -> bool:
        return self.ticked_at is not None

    @property
    def ticked_by_portal(self) -> bool:
        return self.done and self.ticked_by_id is None and bool(self.evidence_summary)


class Runbook(models.Model):
    """What to do when something breaks: markdown, shown on incidents whose cause it matches."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    body = models.TextField(help_text="Markdown. Raw HTML is not rendered.")
    cause_patterns = models.TextField(
        blank=True,
        help_text="Incident causes this runbook answers, one pattern per line; * matches "
        "anything ('resource:disk*', 'monitor:*', 'checklist:*').",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def patterns(self) -> list[str]:
        return [line.strip() for line in self.cause_patterns.splitlines() if line.strip()]


class RunbookAttachment(models.Model):
    """A runbook attached to one object: a monitor, an alert (resource) rule, a service."""

    runbook = models.ForeignKey(Runbook, on_delete=models.CASCADE, related_name="attachments")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.CharField(max_length=64)
    target = GenericForeignKey("target_type", "target_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["runbook", "target_type", "target_id"], name="runbook_attached_once"
            )
        ]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.runbook} -> {self.target_type.model} {self.target_id}"


class Deployment(models.Model):
    """A deploy event, usually posted by a CI pipeline."""

    class Outcome(models.TextChoices):
        IN_PROGRESS = "in_progress", "in progress"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        ROLLED_BACK = "rolled_back", "rolled back"

    service = models.ForeignKey(
        "monitoring.Service", on_delete=models.CASCADE, related_name="deployments"
    )
    version = models.CharField(max_length=100)
    commit = models.CharField(max_length=64, blank=True)
    environment = models.CharField(max_length=50, default="production", db_index=True)
    who = models.CharField(max_length=200, blank=True, help_text="Person or pipeline.")
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=12, choices=Outcome.choices, default=Outcome.SUCCEEDED, db_index=True
    )
    url = models.URLField(blank=True, help_text="The CI run or release page.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["service", "started_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(finished_at__gte=models.F("started_at")),
                name="deployment_finishes_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.version} ({self.environment})"

    @property
    def at(self) -> datetime:
        """When the change reached the service: the end of the deploy, or its start."""
        return self.finished_at or self.started_at
