"""Asynchronous "now" actions shared by the admin and the API: claim in the database, then queue.

The claim happens in the request so a second click gets "already running" at once; the
worker does the work after the transaction commits.
"""

from django.db import transaction
from django.http import HttpRequest

from apps.audit.log import record
from apps.backups import backup
from apps.backups.leases import QUEUED_EXPIRY
from apps.backups.models import BackupPolicy, BackupRun


def queue_backup(
    policy: BackupPolicy, *, trigger: str, request: HttpRequest | None = None
) -> BackupRun:
    from apps.backups.tasks import execute_backup

    run = backup.start(policy, trigger=trigger, request=request)
    transaction.on_commit(
        lambda: execute_backup.apply_async(
            (run.pk,), expires=QUEUED_EXPIRY.total_seconds(), queue="backups"
        )
    )
    return run


def queue_restore_check(
    policy: BackupPolicy, *, trigger: str, request: HttpRequest | None = None
) -> None:
    from apps.backups.tasks import scheduled_restore_check

    record("backup.restore_check", target=policy, detail={"trigger": trigger}, request=request)
    transaction.on_commit(
        lambda: scheduled_restore_check.apply_async(
            (policy.pk, trigger), expires=QUEUED_EXPIRY.total_seconds(), queue="backups"
        )
    )


def queue_verify(run: BackupRun, *, request: HttpRequest | None = None) -> None:
    from apps.backups.tasks import verify_backup

    record("backup.verify", target=run, request=request)
    transaction.on_commit(lambda: verify_backup.apply_async((run.pk,), queue="backups"))
