"""Celery tasks (queue `backups`): one-liners around the domain functions."""

import logging

from celery import shared_task
from django.utils import timezone

from apps.backups.errors import AlreadyRunning

log = logging.getLogger(__name__)


@shared_task
def scheduled_backup(policy_id: int) -> None:
    from apps.backups import backup
    from apps.backups.models import BackupPolicy

    policy = BackupPolicy.objects.filter(pk=policy_id, enabled=True).first()
    if policy is None:
        return
    try:
        backup.run(policy, trigger="schedule")
    except AlreadyRunning as exc:
        log.info("skipped scheduled backup: %s", exc.message)


@shared_task
def execute_backup(run_id: int) -> None:
    """Carry out a run already claimed by the admin, the API or a command."""
    from apps.backups import backup
    from apps.backups.models import BackupRun

    run = BackupRun.objects.select_related("policy").filter(pk=run_id).first()
    if run is None:
        return
    try:
        backup.execute(run)
    except AlreadyRunning as exc:
        log.info("skipped duplicate delivery: %s", exc.message)


@shared_task
def scheduled_restore_check(policy_id: int, trigger: str = "schedule") -> None:
    from apps.backups.models import BackupPolicy
    from apps.backups.restore import restore_check

    policy = BackupPolicy.objects.filter(pk=policy_id).first()
    if policy is None or (trigger == "schedule" and not policy.enabled):
        return
    try:
        restore_check(policy, trigger=trigger)
    except AlreadyRunning as exc:
        log.info("skipped restore check: %s", exc.message)


@shared_task
def verify_backup(run_id: int) -> None:
    from apps.backups import backup
    from apps.backups.models import BackupRun

    run = BackupRun.objects.select_related("policy").filter(pk=run_id).first()
    if run is not None and run.is_good:
        backup.verify(run)


@shared_task
def check_freshness() -> None:
    from apps.backups.freshness import check_all

    check_all(now=timezone.now())
