"""A full backup disk fails the run cleanly, opens an incident and keeps the last good backup."""

import subprocess

import psycopg
import pytest

from apps.backups import backup
from apps.backups.models import BackupRun
from apps.backups.storage import get_storage
from apps.incidents.models import Incident
from tests.backups.conftest import server

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_disk(tmp_path, settings):
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    settings.BACKUP_DIR = mount
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def test_full_disk_fails_cleanly_and_keeps_the_last_good_backup(policy, tiny_disk):
    good = backup.run(policy, trigger="command")
    assert good.status == BackupRun.Status.SUCCEEDED
    with psycopg.connect(**server(), dbname=policy.dbname, autocommit=True) as pg:
        pg.execute(
            "INSERT INTO customers (name, blob) SELECT 'filler', "
            "(SELECT string_agg(md5(random()::text || i || j), '') "
            "FROM generate_series(1, 100) j)::bytea FROM generate_series(1, 2000) i"
        )
    full = backup.run(policy, trigger="command")
    assert full.status == BackupRun.Status.FAILED
    assert "No space left on device" in full.error
    storage = get_storage(policy)
    assert [p.name for p in storage.dir.iterdir()] == [good.file_name.split("/")[1]]
    good.refresh_from_db()
    assert good.is_good and storage.checksum(good.file_name) == good.sha256
    incident = Incident.objects.open().get(cause=policy.cause)
    assert "the last backup failed" in incident.title
