"""A backup that dies half-way never counts as good and leaves no file after cleanup."""

import signal

import psutil
import pytest
from django.utils import timezone

from apps.backups import backup
from apps.backups.errors import AlreadyRunning
from apps.backups.leases import owner_token
from apps.backups.models import BackupPolicy, BackupRun
from apps.backups.storage import clean_orphans, get_storage
from apps.incidents.models import Incident
from tests.backups.conftest import (
    backup_now_while_locked,
    drop_database,
    kill_when,
    make_source_database,
    server,
)
from tests.conftest import shared_database_url, subprocess_env


@pytest.fixture
def big_source_db():
    name = make_source_database(rows=3000, padding=2000)
    yield name
    drop_database(name)


def _kill_pg_dump(size: int) -> None:
    for child in psutil.Process().children(recursive=True):
        if child.name() == "pg_dump":
            child.send_signal(signal.SIGKILL)


@pytest.mark.django_db
def test_pg_dump_killed_half_way_leaves_a_failed_run_and_no_file(big_source_db, backup_dir):
    s = server()
    policy = BackupPolicy.objects.create(
        name="big", host=s["host"], port=s["port"], dbname=big_source_db, user=s["user"]
    )
    run = backup.run(policy, trigger="command", progress=_kill_pg_dump)
    assert run.status == BackupRun.Status.FAILED
    assert "pg_dump exited with code -9" in run.error
    assert run.sha256 == "" and run.file_name == ""
    assert list(get_storage(policy).dir.iterdir()) == []
    assert Incident.objects.filter(cause=policy.cause).exists()
    # The next run is good again and resolves the incident.
    assert backup.run(policy, trigger="command").status == BackupRun.Status.SUCCEEDED
    assert not Incident.objects.open().filter(cause=policy.cause).exists()


@pytest.mark.django_db
def test_second_trigger_while_running_is_refused(policy):
    BackupRun.objects.create(
        policy=policy,
        trigger="api",
        status="running",
        owner=owner_token(),
        heartbeat_at=timezone.now(),
    )
    with pytest.raises(AlreadyRunning, match="already running"):
        backup.run(policy, trigger="command")
    assert BackupRun.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_process_killed_mid_backup_is_failed_and_cleaned(source_db, backup_dir):
    s = server()
    policy = BackupPolicy.objects.create(
        name="locked", host=s["host"], port=s["port"], dbname=source_db, user=s["user"]
    )
    env = subprocess_env(DATABASE_URL=shared_database_url(), BACKUP_DIR=str(backup_dir))
    # pg_dump waits on a lock, so the kill lands while the run is in progress.
    with backup_now_while_locked(policy, env) as proc:
        kill_when(
            proc,
            lambda: (
                BackupRun.objects.filter(status="running").exists()
                and list(get_storage(policy).dir.glob(".run-*.partial"))
            ),
            what="the backup to be under way",
        )
    run = BackupRun.objects.get()
    assert run.status == BackupRun.Status.RUNNING  # nobody has noticed yet
    storage = get_storage(policy)
    stray = storage.dir / f"policy-{policy.pk}-stray.dump"  # a file no run owns
    stray.write_bytes(b"PGDMP")
    removed = clean_orphans()
    run.refresh_from_db()
    assert run.status == BackupRun.Status.FAILED
    assert "died" in run.error
    assert removed == [str(stray)]
    assert list(storage.dir.iterdir()) == []  # the dead run's partial file went too
    good = backup.run(policy, trigger="command")
    assert good.status == BackupRun.Status.SUCCEEDED
    assert clean_orphans() == []  # a good file is never an orphan
    assert get_storage(policy).path(good.file_name).exists()
