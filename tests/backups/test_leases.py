"""A run that blocks (pg_dump waiting on a lock) keeps its lease, and reports its progress."""

import time

import pytest
from django.utils import timezone

from apps.backups import backup
from apps.backups.leases import LeaseKeeper, fail_dead_runs
from apps.backups.models import BackupPolicy, BackupRun
from apps.backups.restore import (
    Phase,
    _create_database,
    _pg_restore,
    _restore_connection,
    restore_check,
    toc_items,
)
from apps.backups.storage import run_storage
from tests.backups.conftest import backup_now_while_locked, drop_database, server
from tests.conftest import shared_database_url, subprocess_env, wait_until


@pytest.mark.django_db(transaction=True)
def test_blocked_backup_keeps_its_lease_past_the_stale_limit(source_db, backup_dir, settings):
    settings.BACKUP_STALE_SECONDS = 2
    s = server()
    policy = BackupPolicy.objects.create(
        name="blocked", host=s["host"], port=s["port"], dbname=source_db, user=s["user"]
    )
    env = subprocess_env(
        DATABASE_URL=shared_database_url(), BACKUP_DIR=str(backup_dir), BACKUP_STALE_SECONDS="2"
    )
    with backup_now_while_locked(policy, env) as proc:
        wait_until(
            lambda: BackupRun.objects.filter(status="running").exists(),
            timeout=60,
            what="the backup to start",
        )
        first = BackupRun.objects.get().heartbeat_at
        deadline = time.monotonic() + 3 * settings.BACKUP_STALE_SECONDS
        while time.monotonic() < deadline:  # pg_dump writes nothing all this time
            assert fail_dead_runs(now=timezone.now()) == 0
            time.sleep(0.3)
        assert BackupRun.objects.get().heartbeat_at > first
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    run = BackupRun.objects.get()
    assert run.status == BackupRun.Status.SUCCEEDED
    assert run.bytes_done == run.size_bytes and run.progress_percent == 100.0


@pytest.mark.django_db
def test_progress_is_estimated_against_the_previous_file(policy):
    first = backup.run(policy, trigger="command")
    assert first.expected_bytes is None
    second = backup.run(policy, trigger="command")
    assert second.expected_bytes == first.size_bytes
    second.status, second.bytes_done = BackupRun.Status.RUNNING, first.size_bytes // 2
    assert 45 <= second.progress_percent <= 55
    second.bytes_done = first.size_bytes * 3  # bigger than last time: never claims done
    assert second.progress_percent == 99.0


@pytest.mark.django_db
def test_keeper_writes_its_fields_and_check_phase_clears(policy, settings):
    settings.BACKUP_STALE_SECONDS = 2
    run = BackupRun.objects.create(policy=policy, trigger="command", status="running")
    keeper = LeaseKeeper(BackupRun, run.pk, lambda: {"bytes_done": 1234})
    assert keeper.beat() == 1
    run.refresh_from_db()
    assert run.bytes_done == 1234 and run.heartbeat_at is not None
    run.status = BackupRun.Status.FAILED
    run.save()
    assert keeper.beat() == 0  # a finished row is left alone

    phase = Phase(1000, None)
    phase.count(500)
    assert phase.fields() == {"phase": "verifying checksum 50 %"}
    phase.name = "restoring"
    assert phase.fields() == {"phase": "restoring"}
    run.delete()
    backup.run(policy, trigger="command")
    assert restore_check(policy, trigger="command").phase == ""


@pytest.mark.django_db
def test_restore_reports_items_against_the_archive_contents(policy):
    run = backup.run(policy, trigger="command")
    path = run_storage(run).path(run.file_name)
    conn = _restore_connection(policy).with_db(f"{policy.dbname}_items")
    seen: list[tuple[int, int]] = []
    phase = Phase(None, None)
    phase.name = "restoring"
    _create_database(conn)
    try:
        tail = _pg_restore(
            conn,
            path,
            lambda done, total: (seen.append((done, total)), phase.restored(done, total)),
        )
    finally:
        drop_database(conn.dbname)
    total = toc_items(path)
    assert total >= 6  # two tables, their data, sequences, keys
    assert seen[-1] == (total, total) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert phase.fields() == {"phase": f"restoring 100 % ({total} of {total} items)"}
    assert "creating TABLE" not in tail  # progress lines stay out of the log tail
