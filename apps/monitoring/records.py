"""What monitors leave behind: probe results, pings and rollups, stored compactly.

Raw results are kept a few days; hourly rollups (check counts and a latency histogram) for
the uptime windows, daily rollups for a year. Column order follows PostgreSQL alignment
(8-byte fields first) so no padding is wasted.
"""

from django.db import models


class ProbeResult(models.Model):
    """One probe: when, whether it passed, how long it took, and what went wrong."""

    checked_at = models.DateTimeField()
    monitor = models.ForeignKey(
        "monitoring.Monitor", on_delete=models.CASCADE, related_name="results", db_index=False
    )
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    ok = models.BooleanField()
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-checked_at"]
        indexes = [models.Index(fields=["monitor", "checked_at"], name="probe_result_monitor_time")]

    def __str__(self) -> str:
        return (
            f"{self.monitor_id} {self.checked_at:%Y-%m-%d %H:%M:%S} {'ok' if self.ok else 'fail'}"
        )


class Ping(models.Model):
    """A heartbeat ping; `body` keeps up to 10 kB of what the job sent."""

    class Kind(models.TextChoices):
        SUCCESS = "success"
        START = "start"
        FAIL = "fail"

    received_at = models.DateTimeField()
    monitor = models.ForeignKey(
        "monitoring.Monitor", on_delete=models.CASCADE, related_name="pings", db_index=False
    )
    duration_ms = models.PositiveIntegerField(
        null=True, blank=True, help_text="Run time since the matching /start ping."
    )
    exit_code = models.SmallIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=7, choices=Kind.choices)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    method = models.CharField(max_length=7, default="GET")
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["monitor", "received_at"], name="ping_monitor_time")]

    def __str__(self) -> str:
        return f"{self.kind} ping {self.received_at:%Y-%m-%d %H:%M:%S}"


class Rollup(models.Model):
    """Counts and a latency histogram of one monitor's results over one period."""

    period_start = models.DateTimeField()
    monitor = models.ForeignKey(
        "monitoring.Monitor", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    latency_sum_ms = models.BigIntegerField(default=0)
    checks = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    # Latency histogram over apps.monitoring.stats.LATENCY_BUCKETS_MS, packed by
    # stats.pack_histogram (5 bytes per non-empty bucket; JSON took four times as much).
    latency_histogram = models.BinaryField(default=b"")

    class Meta:
        abstract = True
        ordering = ["-period_start"]

    def __str__(self) -> str:
        return f"{self.monitor_id} {self.period_start:%Y-%m-%d %H:%M}"


class HourlyRollup(Rollup):
    class Meta(Rollup.Meta):
        constraints = [
            models.UniqueConstraint(fields=["monitor", "period_start"], name="hourly_rollup_once")
        ]


class DailyRollup(Rollup):
    class Meta(Rollup.Meta):
        constraints = [
            models.UniqueConstraint(fields=["monitor", "period_start"], name="daily_rollup_once")
        ]
