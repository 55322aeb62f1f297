"""Services: what a team operates. Monitors, results and pings hang off them."""

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    class Environment(models.TextChoices):
        PRODUCTION = "production"
        STAGING = "staging"
        PREVIEW = "preview"
        DEVELOPMENT = "development"

    class State(models.TextChoices):
        PENDING = "pending"
        UP = "up"
        DEGRADED = "degraded"
        DOWN = "down"
        IMPACTED = "impacted", "impacted (a dependency is down)"
        MAINTENANCE = "maintenance"
        PAUSED = "paused"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    environment = models.CharField(
        max_length=20, choices=Environment.choices, default=Environment.PRODUCTION, db_index=True
    )
    owner = models.CharField(max_length=200, blank=True, help_text="Team or person responsible.")
    tags = models.ManyToManyField(Tag, blank=True, related_name="services")
    links = models.JSONField(default=list, blank=True, help_text="List of {title, url}.")
    description = models.TextField(blank=True)
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents"
    )
    public = models.BooleanField(default=False, help_text="Shown on the public status page.")
    slo_target = models.DecimalField(
        "SLO target (%)",
        max_digits=6,
        decimal_places=3,
        default=Decimal("99.900"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.PENDING, db_index=True, editable=False
    )
    state_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Monitor(models.Model):
    """One thing probed (or pinged) on a schedule; its state follows the state machine."""

    class Kind(models.TextChoices):
        HTTP = "http", "HTTP(S)"
        TCP = "tcp", "TCP connect"
        POSTGRES = "postgres", "PostgreSQL"
        REDIS = "redis", "Redis"
        HEARTBEAT = "heartbeat", "Heartbeat (pinged)"

    class State(models.TextChoices):
        PENDING = "pending"
        UP = "up"
        DOWN = "down"
        PAUSED = "paused"
        MAINTENANCE = "maintenance"

    # int4 keeps every result and rollup row (which carry this key) four bytes smaller.
    id = models.AutoField(primary_key=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="monitors")
    name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.HTTP)
    target = models.CharField(
        max_length=2000,
        blank=True,
        help_text="http(s) URL, host:port (TCP), postgres:// or redis:// URL; empty for heartbeats.",  # noqa: E501
    )
    method = models.CharField(max_length=10, default="GET")
    headers = models.JSONField(default=dict, blank=True, help_text="Request headers (HTTP).")
    expected_status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Exact status wanted; empty accepts any 2xx or 3xx."
    )
    keyword = models.CharField(
        max_length=200, blank=True, help_text="Text the response body must contain (HTTP)."
    )
    json_path = models.CharField(
        max_length=200, blank=True, help_text="Dotted path into a JSON body, e.g. status.db"
    )
    json_value = models.CharField(
        max_length=200, blank=True, help_text="Value expected at json_path (compared as text)."
    )
    interval_seconds = models.PositiveIntegerField(default=60, validators=[MinValueValidator(10)])
    timeout_seconds = models.FloatField(
        default=10.0, validators=[MinValueValidator(0.1), MaxValueValidator(120)]
    )
    failures_before_down = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    successes_before_up = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    # Heartbeats: the UUID in the ping URL is the secret.
    ping_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    period_seconds = models.PositiveIntegerField(
        default=86400, validators=[MinValueValidator(10)], help_text="Expected ping period."
    )
    cron = models.CharField(
        max_length=100, blank=True, help_text="Cron expression; replaces the period when set."
    )
    tz = models.CharField("time zone", max_length=64, default="UTC")
    grace_seconds = models.PositiveIntegerField(default=3600)

    state = models.CharField(
        max_length=12, choices=State.choices, default=State.PENDING, db_index=True, editable=False
    )
    state_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    failure_streak = models.PositiveSmallIntegerField(default=0, editable=False)
    success_streak = models.PositiveSmallIntegerField(default=0, editable=False)
    next_due_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    last_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=500, blank=True, editable=False)
    tls_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_ping_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_start_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_run_seconds = models.FloatField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["service__name", "id"]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} {self.target}".strip()

    def save(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        # A new monitor is due at once (heartbeats: late detection computes the deadline).
        if self._state.adding and self.next_due_at is None and self.state != self.State.PAUSED:
            self.next_due_at = timezone.now()
        super().save(*args, **kwargs)

    @property
    def ping_path(self) -> str:
        return f"/ping/{self.ping_key}"

    def clean(self) -> None:
        from apps.monitoring.validation import validate_monitor

        validate_monitor(self)


class StateChange(models.Model):
    """One row per state change of a monitor (the incident engine and uptime read these)."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="state_changes")
    at = models.DateTimeField()
    previous = models.CharField(max_length=12)
    current = models.CharField(max_length=12)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["monitor", "at"])]

    def __str__(self) -> str:
        return (
            f"{self.monitor_id}: {self.previous} -> {self.current} at {self.at:%Y-%m-%d %H:%M:%S}"
        )


from apps.monitoring.records import DailyRollup, HourlyRollup, Ping, ProbeResult  # noqa: E402, F401, I001
