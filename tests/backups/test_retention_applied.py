"""Retention runs after every successful backup and spares what a restore check reads."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.backups import backup
from apps.backups.leases import owner_token
from apps.backups.models import BackupRun, RestoreCheck
from apps.backups.retention import apply_retention
from apps.backups.storage import get_storage

pytestmark = pytest.mark.django_db


def test_retention_after_each_run_keeps_last_n_and_logs(policy, caplog):
    policy.keep_last = 2
    policy.keep_daily_days = 0
    policy.keep_weekly_weeks = 0
    policy.save()
    caplog.set_level(logging.INFO, logger="apps.backups.retention")
    runs = [backup.run(policy, trigger="command") for _ in range(4)]
    good = BackupRun.objects.filter(status="succeeded", pruned_at__isnull=True)
    assert set(good.values_list("pk", flat=True)) == {runs[-1].pk, runs[-2].pk}
    storage = get_storage(policy)
    for run in runs[:2]:
        run.refresh_from_db()
        assert run.pruned_at is not None and run.settled_at is not None
        assert not storage.path(run.file_name).exists()
    assert f"retention removed backup run {runs[0].pk}" in caplog.text


def test_backup_being_restore_checked_is_spared(policy):
    policy.keep_last = 1
    policy.keep_daily_days = 0
    policy.keep_weekly_weeks = 0
    policy.save()
    first = backup.run(policy, trigger="command")
    RestoreCheck.objects.create(
        policy=policy,
        backup_run=first,
        trigger="command",
        owner=owner_token(),
        heartbeat_at=timezone.now(),
    )
    second = backup.run(policy, trigger="command")
    first.refresh_from_db()
    assert first.pruned_at is None
    assert get_storage(policy).path(first.file_name).exists()
    RestoreCheck.objects.update(status="passed")
    assert apply_retention(policy, now=timezone.now() + timedelta(seconds=1)) == [first.pk]
    assert BackupRun.objects.get(pk=second.pk).pruned_at is None
