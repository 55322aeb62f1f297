"""A real Celery worker on the backups queue takes a backup; killing it mid-run loses nothing."""

import os
import signal

import psycopg
import pytest

from apps.backups.actions import queue_backup
from apps.backups.models import BackupPolicy, BackupRun
from apps.backups.storage import get_storage
from tests.backups.conftest import backups_worker, server
from tests.conftest import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _status(pk: int) -> str:
    return BackupRun.objects.get(pk=pk).status


def test_worker_backs_up_and_survives_sigkill(source_db, backup_dir, settings):
    s = server()
    policy = BackupPolicy.objects.create(
        name="worker", host=s["host"], port=s["port"], dbname=source_db, user=s["user"]
    )
    with backups_worker(settings, backup_dir):
        run = queue_backup(policy, trigger="api")
        wait_until(lambda: _status(run.pk) == "succeeded", timeout=90, what="the worker's backup")
        run.refresh_from_db()
        assert get_storage(policy).checksum(run.file_name) == run.sha256

        # Kill the child mid-backup (pg_dump waits on a lock we hold).
        with psycopg.connect(**s, dbname=source_db) as locker:
            locker.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE")
            killed = queue_backup(policy, trigger="api")
            wait_until(lambda: _status(killed.pk) == "running", timeout=60, what="running")
            pid = int(BackupRun.objects.get(pk=killed.pk).owner.rpartition(":")[2])
            os.kill(pid, signal.SIGKILL)
            # Redelivered (acks late + reject on worker lost): the new child sees the dead
            # owner and fails the run instead of counting a half file.
            wait_until(lambda: _status(killed.pk) == "failed", timeout=60, what="failed run")
            locker.rollback()
        killed.refresh_from_db()
        assert "died" in killed.error and killed.sha256 == ""
        assert not list(get_storage(policy).dir.glob(".run-*"))

        again = queue_backup(policy, trigger="api")
        wait_until(lambda: _status(again.pk) == "succeeded", timeout=90, what="the next backup")
