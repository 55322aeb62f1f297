"""The job lock: a JobRun row in status `running`, unique per lock key across every host.

Acquiring inserts the row; the partial unique constraint makes a second insert fail, so a
second beat, a double click or another host is told a run is in progress. A run that stopped
heartbeating for longer than the lease (its process was killed) is marked abandoned and the
lock taken over, so a crash never blocks a job forever.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from apps.core.errors import Conflict
from apps.jobs.models import JobRun


class JobAlreadyRunning(Conflict):
    """A run holding the same lock key is in progress."""

    def __init__(self, run: JobRun | None, lock_key: str) -> None:
        since = f" since {run.started_at:%Y-%m-%d %H:%M:%S} UTC (run #{run.pk})" if run else ""
        super().__init__(f"a {lock_key} run is already in progress{since}")
        self.run = run


def acquire(
    kind: str,
    *,
    now: datetime,
    trigger: str,
    user=None,  # noqa: ANN001
    dry_run: bool = False,
    params: dict | None = None,
    lock_key: str | None = None,
) -> JobRun:
    """Start a run of `kind` (the lock key defaults to the kind) or raise JobAlreadyRunning."""
    key = lock_key or kind
    lease = timedelta(seconds=settings.JOBS_LOCK_LEASE_SECONDS)
    JobRun.objects.filter(
        lock_key=key, status=JobRun.Status.RUNNING, heartbeat_at__lt=now - lease
    ).update(
        status=JobRun.Status.ABANDONED,
        finished_at=now,
        error="no heartbeat within the lease: the process running it died",
    )
    try:
        with transaction.atomic():
            return JobRun.objects.create(
                kind=kind,
                lock_key=key,
                trigger=trigger,
                triggered_by=user if user is not None and user.is_authenticated else None,
                dry_run=dry_run,
                params=params or {},
                started_at=now,
                heartbeat_at=now,
            )
    except IntegrityError:
        running = JobRun.objects.filter(lock_key=key, status=JobRun.Status.RUNNING).first()
        raise JobAlreadyRunning(running, key) from None


def running(lock_key: str) -> JobRun | None:
    return JobRun.objects.filter(lock_key=lock_key, status=JobRun.Status.RUNNING).first()
