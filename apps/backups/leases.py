"""Who is running a backup or restore check, and noticing when that process died.

Each active row carries `owner` (host:pid) and a `heartbeat_at` refreshed while it works. A row
is dead when its process is gone from this host, or its heartbeat is older than
BACKUP_STALE_SECONDS (the owner was on another host).
"""

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone

from apps.backups.errors import BackupError

log = logging.getLogger(__name__)

HOST = socket.gethostname()
# Tasks for queued runs expire after this long, so an older queued row is abandoned.
QUEUED_EXPIRY = timedelta(hours=1)


def owner_token() -> str:
    return f"{HOST}:{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_dead(owner: str, heartbeat_at: datetime | None, *, now: datetime) -> bool:
    host, _, pid = owner.rpartition(":")
    if host == HOST and pid.isdigit() and not _pid_alive(int(pid)):
        return True
    stale = now - timedelta(seconds=settings.BACKUP_STALE_SECONDS)
    return heartbeat_at is None or heartbeat_at < stale


def heartbeat_interval() -> float:
    """How often a running row is touched: well inside BACKUP_STALE_SECONDS, at most 15 s."""
    return max(0.5, min(15.0, settings.BACKUP_STALE_SECONDS / 5))


class LeaseKeeper:
    """Keeps a running row's `heartbeat_at` fresh from a thread while the work blocks.

    pg_dump waiting on a lock or a long pg_restore writes nothing for minutes; without this a
    healthy run would look dead after BACKUP_STALE_SECONDS and be failed under its feet. Each
    beat also writes what `fields()` returns (progress). The thread uses its own connection and
    never holds up the caller: on exit it is given one interval to finish, then left to end on
    its own (a status filter makes a late write a no-op once the row has finished).
    """

    def __init__(
        self, model: type[models.Model], pk: int, fields: Callable[[], dict] | None = None
    ) -> None:
        self.model, self.pk, self.fields = model, pk, fields or dict
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{pk}", daemon=True)

    def __enter__(self) -> "LeaseKeeper":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=heartbeat_interval())

    def beat(self) -> int:
        return self.model.objects.filter(pk=self.pk, status="running").update(
            heartbeat_at=timezone.now(), **self.fields()
        )

    def _run(self) -> None:
        try:
            while not self._stop.wait(heartbeat_interval()):
                try:
                    self.beat()
                except Exception:
                    log.warning("could not refresh the lease of %s", self.pk, exc_info=True)
        finally:
            connection.close()


def fail_dead_runs(*, now: datetime, policy_id: int | None = None) -> int:
    """Mark backup runs and restore checks whose process died as failed; returns how many."""
    from apps.backups.models import BackupRun, RestoreCheck
    from apps.backups.restore import drop_scratch_quietly
    from apps.backups.storage import storage_at

    scope = Q(policy_id=policy_id) if policy_id else Q()
    count = 0
    running = BackupRun.objects.filter(scope, status=BackupRun.Status.RUNNING)
    fields = ("pk", "policy", "storage", "owner", "heartbeat_at")
    for pk, policy, kind, owner, beat in running.values_list(*fields):
        if is_dead(owner, beat, now=now):
            count += BackupRun.objects.filter(pk=pk, status=BackupRun.Status.RUNNING).update(
                status=BackupRun.Status.FAILED,
                finished_at=now,
                settled_at=now,
                error="the process running this backup died before it finished",
            )
            try:
                storage_at(policy, kind).discard(pk)
            except BackupError as exc:  # the bucket is down: maintenance aborts it later
                log.warning("could not clean up after dead backup run %s: %s", pk, exc)
    # A queued run whose task expired (see QUEUED_EXPIRY) will never start.
    count += BackupRun.objects.filter(
        scope, status=BackupRun.Status.QUEUED, created_at__lt=now - QUEUED_EXPIRY
    ).update(
        status=BackupRun.Status.FAILED,
        finished_at=now,
        settled_at=now,
        error="the queued backup never started (is a worker consuming the backups queue?)",
    )
    checks = RestoreCheck.objects.filter(scope, status=RestoreCheck.Status.RUNNING)
    for check in checks:
        if is_dead(check.owner, check.heartbeat_at, now=now):
            drop_scratch_quietly(check)
            count += RestoreCheck.objects.filter(
                pk=check.pk, status=RestoreCheck.Status.RUNNING
            ).update(
                status=RestoreCheck.Status.FAILED,
                finished_at=now,
                error="the process running this restore check died before it finished",
            )
    return count
