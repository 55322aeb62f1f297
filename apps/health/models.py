"""What the portal knows about its own processes: heartbeats of workers and beat."""

from datetime import datetime, timedelta

from django.db import IntegrityError, models, transaction
from django.db.models import Q


class ProcessHeartbeat(models.Model):
    """The newest sign of life of one Celery worker or beat process (one row per process name)."""

    class Kind(models.TextChoices):
        WORKER = "worker", "Celery worker"
        BEAT = "beat", "Celery beat"
        PIPELINE = "pipeline", "Scheduled task pipeline"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=255, help_text="Host name (workers: the Celery node name).")
    pid = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    info = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="heartbeat_unique_process")
        ]
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    @classmethod
    def record(
        cls, kind: str, name: str, *, now: datetime, pid: int, started_at: datetime, info: dict
    ) -> None:
        """Upsert the heartbeat of one process."""
        cls.objects.update_or_create(
            kind=kind,
            name=name,
            defaults={
                "pid": pid,
                "last_seen": now,
                "started_at": started_at,
                "stopped_at": None,
                "info": info,
            },
        )

    @classmethod
    def record_stop(cls, kind: str, name: str, *, now: datetime) -> None:
        cls.objects.filter(kind=kind, name=name).update(stopped_at=now, last_seen=now)

    @classmethod
    def alive(cls, kind: str, *, now: datetime, max_age: int) -> models.QuerySet:
        """Processes of `kind` seen within `max_age` seconds and not stopped."""
        return cls.objects.filter(
            kind=kind, stopped_at__isnull=True, last_seen__gte=now - timedelta(seconds=max_age)
        )


class SchedulerLease(models.Model):
    """Who may act as the one scheduler: only the holder of an unexpired lease sends tasks.

    django-celery-beat has no lock of its own, so a second beat (a double deploy, a stuck
    old pod) would send every schedule twice; with the lease it waits as a hot standby.
    """

    name = models.CharField(max_length=50, primary_key=True)
    holder = models.CharField(max_length=255)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder}"

    @classmethod
    def acquire(cls, name: str, holder: str, *, now: datetime, ttl: int) -> bool:
        """Take or renew the lease; True when `holder` holds it until now + ttl."""
        expires = now + timedelta(seconds=ttl)
        taken = (
            cls.objects.filter(name=name)
            .filter(Q(holder=holder) | Q(expires_at__lt=now))
            .update(holder=holder, expires_at=expires)
        )
        if taken:
            return True
        if cls.objects.filter(name=name).exists():
            return False
        try:
            with transaction.atomic():
                cls.objects.create(name=name, holder=holder, expires_at=expires)
        except IntegrityError:
            return False
        return True

    @classmethod
    def release(cls, name: str, holder: str) -> None:
        cls.objects.filter(name=name, holder=holder).delete()
