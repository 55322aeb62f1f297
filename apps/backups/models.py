"""Backup policies, the runs they produce and the restore checks that prove those runs work."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.monitoring.models import Service

CRON_HELP = "Crontab: minute hour day-of-month month day-of-week, e.g. '0 2 * * *'."


class BackupPolicy(models.Model):
    class Kind(models.TextChoices):
        POSTGRES = "postgres", "PostgreSQL server (pg_dump)"
        PORTAL = "portal", "the portal's own database"

    class Storage(models.TextChoices):
        LOCAL = "local", "local directory (BACKUP_DIR)"
        S3 = "s3", "S3-compatible bucket (BACKUP_S3_BUCKET)"

    name = models.CharField(max_length=100, unique=True)
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="backup_policies",
        help_text="Empty for the portal's own database.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.POSTGRES)
    enabled = models.BooleanField(default=True)
    host = models.CharField(max_length=255, blank=True, default="127.0.0.1")
    port = models.PositiveIntegerField(default=5432, validators=[MaxValueValidator(65535)])
    dbname = models.CharField("database", max_length=100, blank=True)
    user = models.CharField(max_length=100, blank=True)
    password_env = models.CharField(
        "password from environment variable",
        max_length=100,
        blank=True,
        help_text="Name of the variable the worker reads at run time (BACKUP_PASSWORD_ENV_PREFIX).",
    )
    password_encrypted = models.TextField(blank=True, editable=False)
    restore_host = models.CharField(
        max_length=255, blank=True, help_text="Server for scratch restores; empty: the same one."
    )
    restore_port = models.PositiveIntegerField(null=True, blank=True)
    schedule = models.CharField(max_length=100, default="0 2 * * *", help_text=CRON_HELP)
    restore_schedule = models.CharField(
        "restore check schedule", max_length=100, default="0 4 * * 0", help_text=CRON_HELP
    )
    schedule_timezone = models.CharField(max_length=64, default="UTC")
    storage = models.CharField(max_length=20, choices=Storage.choices, default=Storage.LOCAL)
    compression_level = models.PositiveSmallIntegerField(
        default=6,
        validators=[MaxValueValidator(9)],
        help_text="0-9. pg_dump compresses its custom format itself; SQLite files are gzipped.",
    )
    keep_last = models.PositiveIntegerField(default=7, validators=[MinValueValidator(1)])
    keep_daily_days = models.PositiveIntegerField(default=7)
    keep_weekly_weeks = models.PositiveIntegerField(default=4)
    max_age_hours = models.PositiveIntegerField(
        default=26, help_text="An incident opens when the newest good backup is older."
    )
    assertions = models.TextField(
        "SQL assertions",
        blank=True,
        help_text="One query per line, run in the restored copy; each must return true.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "backup policies"
        permissions = [("run_backuppolicy", "Can back up, verify and restore-check now")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        from apps.backups.schedule import sync_periodic_tasks

        super().save(*args, **kwargs)
        sync_periodic_tasks(self)

    def delete(self, *args, **kwargs):  # noqa: ANN201
        from apps.backups.schedule import delete_periodic_tasks

        delete_periodic_tasks(self)
        return super().delete(*args, **kwargs)

    @property
    def cause(self) -> str:
        """The incident cause this policy reports problems under."""
        return f"backup:policy:{self.pk}"

    @property
    def max_age(self) -> timedelta:
        return timedelta(hours=self.max_age_hours)

    def assertion_list(self) -> list[str]:
        return [line.strip() for line in self.assertions.splitlines() if line.strip()]

    def clean(self) -> None:
        from apps.backups.credentials import check_password_env
        from apps.backups.schedule import parse_crontab

        errors: dict[str, str] = {}
        if self.kind == self.Kind.POSTGRES:
            for field in ("host", "dbname", "user"):
                if not getattr(self, field):
                    errors[field] = "required for a PostgreSQL policy"
        for field in ("schedule", "restore_schedule"):
            try:
                parse_crontab(getattr(self, field), self.schedule_timezone)
            except ValueError as exc:
                errors[field] = str(exc)
        if self.storage == self.Storage.S3 and not settings.BACKUP_S3_BUCKET:
            errors["storage"] = (
                "S3 storage needs BACKUP_S3_BUCKET (and its endpoint and keys) in the "
                "environment of the web and worker processes"
            )
        if self.password_env:
            try:
                check_password_env(self.password_env)
            except ValueError as exc:
                errors["password_env"] = str(exc)
        if errors:
            raise ValidationError(errors)


class BackupRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule"
        ADMIN = "admin"
        API = "api"
        COMMAND = "command"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    policy = models.ForeignKey(BackupPolicy, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    owner = models.CharField(max_length=255, blank=True, help_text="host:pid of the process.")
    storage = models.CharField(
        max_length=20,
        choices=BackupPolicy.Storage.choices,
        default=BackupPolicy.Storage.LOCAL,
        help_text="Where the file was written (the policy's storage at the time).",
    )
    file_name = models.CharField(max_length=255, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True, help_text="Size of the file.")
    bytes_done = models.BigIntegerField(
        null=True, blank=True, editable=False, help_text="Bytes written so far."
    )
    expected_bytes = models.BigIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="The previous good file's size, which progress is estimated against.",
    )
    database_bytes = models.BigIntegerField(
        null=True, blank=True, help_text="Size of the source database when the dump started."
    )
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    server_version = models.CharField(max_length=100, blank=True)
    tool_version = models.CharField(max_length=100, blank=True)
    log_tail = models.TextField(blank=True)
    error = models.TextField(blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verify_ok = models.BooleanField(null=True)
    pruned_at = models.DateTimeField(
        null=True, blank=True, help_text="When retention removed the file."
    )
    settled_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        editable=False,
        help_text="When the run stopped mattering for restores (failed, or file removed); "
        "only settled rows age out under the jobs app's retention.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The database, not the broker, guarantees one active run per policy.
            models.UniqueConstraint(
                fields=["policy"],
                condition=Q(status__in=["queued", "running"]),
                name="backups_one_active_run_per_policy",
            )
        ]
        indexes = [models.Index(fields=["policy", "status", "-finished_at"])]

    def __str__(self) -> str:
        return f"{self.policy} #{self.pk} ({self.status})"

    @property
    def is_good(self) -> bool:
        return self.status == self.Status.SUCCEEDED and self.pruned_at is None

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def progress_percent(self) -> float | None:
        """100 when done; while running, bytes so far against the previous file (max 99)."""
        if self.status == self.Status.SUCCEEDED:
            return 100.0
        if self.status == self.Status.RUNNING and self.expected_bytes and self.bytes_done:
            return round(min(99.0, 100.0 * self.bytes_done / self.expected_bytes), 1)
        return None


class RestoreCheck(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running"
        PASSED = "passed"
        FAILED = "failed"

    policy = models.ForeignKey(BackupPolicy, on_delete=models.CASCADE, related_name="checks")
    backup_run = models.ForeignKey(
        BackupRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="checks"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(max_length=20, choices=BackupRun.Trigger.choices)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    owner = models.CharField(max_length=255, blank=True)
    scratch_database = models.CharField(max_length=100, blank=True)
    phase = models.CharField(
        max_length=40, blank=True, editable=False, help_text="What a running check is doing."
    )
    tables = models.JSONField(default=dict, blank=True, help_text="Row count per table.")
    assertion_results = models.JSONField(default=list, blank=True)
    log_tail = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy"],
                condition=Q(status="running"),
                name="backups_one_running_check_per_policy",
            )
        ]

    def __str__(self) -> str:
        return f"restore check of {self.policy} #{self.pk} ({self.status})"
