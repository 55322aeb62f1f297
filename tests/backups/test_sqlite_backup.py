"""The embedded default: SQLite copied live through its backup API, gzipped, restore-checked."""

import sqlite3

import pytest
from django.utils import timezone

from apps.backups import backup, dumping
from apps.backups.models import BackupPolicy, BackupRun, RestoreCheck
from apps.backups.restore import restore_check, restore_into
from apps.backups.storage import get_storage

pytestmark = pytest.mark.django_db


def test_sqlite_backup_restore_check_and_restore(tmp_path, backup_dir):
    source = tmp_path / "portal.sqlite3"
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT)")
        db.executemany("INSERT INTO things (name) VALUES (?)", [(f"t{i}",) for i in range(300)])
    policy = BackupPolicy.objects.create(
        name="portal", kind="portal", assertions="SELECT count(*) = 300 FROM things"
    )
    run = BackupRun.objects.create(policy=policy, trigger="command", status="running")
    storage = get_storage(policy)
    writer = storage.open_writer(run.pk)
    info = dumping.dump_sqlite(str(source), 6, writer, lambda n: None)
    assert info.database_bytes == source.stat().st_size
    name = storage.final_name(run.pk, timezone.now(), info.extension)
    run.sha256, run.size_bytes, run.file_name = writer.finish(), writer.size, name
    storage.commit(writer, name)
    run.status, run.finished_at = "succeeded", timezone.now()
    run.save()
    assert name.endswith(".sqlite3.gz")
    assert backup.verify(run) is True

    check = restore_check(policy, trigger="command")
    assert check.status == RestoreCheck.Status.PASSED, check.error
    assert check.tables == {"things": 300}

    target = tmp_path / "restored.sqlite3"
    assert restore_into(run, str(target)) == {"things": 300}
    with pytest.raises(Exception, match="already exists"):
        restore_into(run, str(target))
