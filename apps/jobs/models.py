"""Job runs (one row per run of any job, also its cross-host lock), retention policies and
exports."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class JobRun(models.Model):
    """One run of one job, whoever started it.

    While a run is `running` its row is the job's lock: a partial unique constraint allows one
    running row per `lock_key` across every host. `heartbeat_at` is the lease: a running row
    whose heartbeat is older than JOBS_LOCK_LEASE_SECONDS belongs to a dead process and may be
    taken over (see apps.jobs.locking).
    """

    class Kind(models.TextChoices):
        MAINTENANCE = "maintenance"
        RETENTION = "retention"
        EXPORT = "export"

    class Trigger(models.TextChoices):
        BEAT = "beat"
        ADMIN = "admin"
        API = "api"
        COMMAND = "command"

    class Status(models.TextChoices):
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        ABANDONED = "abandoned", "abandoned (its process died)"

    kind = models.CharField(max_length=40, db_index=True)
    lock_key = models.CharField(max_length=120, help_text="Runs sharing a key never overlap.")
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    dry_run = models.BooleanField(default=False)
    params = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True, help_text="examined, deleted, exported...")
    progress = models.FloatField(default=0.0, help_text="Percent done, 0-100.")
    log_tail = models.TextField(blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(db_index=True)
    heartbeat_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    LOG_TAIL_CHARS = 4000

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lock_key"],
                condition=Q(status="running"),
                name="jobrun_one_running_per_lock_key",
            )
        ]
        indexes = [models.Index(fields=["kind", "-started_at"], name="jobrun_kind_started")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def duration(self) -> timedelta | None:
        return self.finished_at - self.started_at if self.finished_at else None


class RetentionPolicy(models.Model):
    """How many days rows of one retention kind are kept (one row per registered kind)."""

    kind = models.CharField(max_length=40, unique=True)
    days = models.PositiveIntegerField(help_text="Rows older than this many days are deleted.")
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name_plural = "retention policies"

    def __str__(self) -> str:
        return f"{self.kind}: {self.days} days"

    @classmethod
    def for_kind(cls, kind: str) -> "RetentionPolicy":
        """The policy row of a registered kind, created with its default days if missing."""
        from apps.jobs.registry import get_retention

        entry = get_retention(kind)
        policy, _ = cls.objects.get_or_create(kind=kind, defaults={"days": entry.default_days})
        return policy

    def cutoff(self, *, now: datetime) -> datetime:
        return now - timedelta(days=self.days)


class Export(models.Model):
    """A requested export file: kind, format, filters, progress and where the file lives."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSONL = "jsonl", "JSON Lines"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        EXPIRED = "expired", "expired (file deleted)"

    kind = models.CharField(max_length=40)
    format = models.CharField(max_length=5, choices=Format.choices, default=Format.CSV)
    since = models.DateTimeField()
    until = models.DateTimeField()
    service_slug = models.SlugField(max_length=100, blank=True)
    ids = models.JSONField(
        default=list, blank=True, help_text="Only these rows (admin 'export selected')."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0, help_text="Percent done, 0-100.")
    rows_total = models.BigIntegerField(null=True, blank=True)
    rows_exported = models.BigIntegerField(default=0)
    file_name = models.CharField(max_length=255, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    job_run = models.ForeignKey(
        JobRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} export #{self.pk} ({self.format}, {self.status})"
