"""Back up a real PostgreSQL database, restore-check it, and catch a damaged file."""

import hashlib
import stat

import pytest
from django.utils import timezone

from apps.backups import backup
from apps.backups.models import BackupRun, RestoreCheck
from apps.backups.restore import restore_check
from apps.backups.storage import get_storage
from apps.incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_backup_streams_a_checksummed_file(policy):
    run = backup.run(policy, trigger="command")
    assert run.status == BackupRun.Status.SUCCEEDED, run.error
    path = get_storage(policy).path(run.file_name)
    data = path.read_bytes()
    assert data[:5] == b"PGDMP"  # pg_dump custom format
    assert run.size_bytes == len(data)
    assert run.sha256 == hashlib.sha256(data).hexdigest()
    assert run.server_version.startswith("15") or run.server_version[:2].isdigit()
    assert run.tool_version.startswith("pg_dump (PostgreSQL)")
    assert run.duration_seconds is not None and run.duration_seconds >= 0
    assert run.database_bytes > run.size_bytes  # the source's pg_database_size, recorded
    assert not list(path.parent.glob(".run-*"))  # no temporary file left
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 in (0, 0o044, 0o004, 0o040)


def test_restore_check_counts_rows_and_runs_assertions(policy):
    backup.run(policy, trigger="command")
    check = restore_check(policy, trigger="command")
    assert check.status == RestoreCheck.Status.PASSED, check.error
    assert check.tables == {"public.customers": 500, "public.orders": 250}
    assert [a["ok"] for a in check.assertion_results] == [True, True]
    assert check.backup_run == BackupRun.objects.get()


def test_flipped_byte_fails_the_check_and_opens_an_incident(policy):
    run = backup.run(policy, trigger="command")
    path = get_storage(policy).path(run.file_name)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    assert backup.verify(run) is False
    check = restore_check(policy, trigger="command")
    assert check.status == RestoreCheck.Status.FAILED
    assert "checksum mismatch" in check.error
    incident = Incident.objects.get(cause=f"backup:policy:{policy.pk}")
    assert "restore check failed" in incident.updates.first().text


def test_false_assertion_fails_the_check(policy):
    policy.assertions = "SELECT count(*) > 10000 FROM customers"
    policy.save()
    backup.run(policy, trigger="command")
    check = restore_check(policy, trigger="command")
    assert check.status == RestoreCheck.Status.FAILED
    assert "assertion failed" in check.error
    assert check.tables["public.customers"] == 500


def test_check_without_any_backup_fails_clearly(policy):
    check = restore_check(policy, trigger="command", now=timezone.now())
    assert check.status == RestoreCheck.Status.FAILED
    assert "no good backup" in check.error
