"""Maintenance clears expired sessions and stale files; a dry run changes nothing."""

import os
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from apps.jobs import maintenance
from apps.jobs.models import Export, JobRun


@pytest.fixture
def stale(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"
    settings.MEDIA_ROOT = tmp_path / "media"
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="x", expire_date=now - timedelta(1))
    Session.objects.create(session_key="new", session_data="x", expire_date=now + timedelta(1))
    export = Export.objects.create(
        kind="audit_log",
        since=now,
        until=now,
        status="done",
        file_name="export-1-audit_log.csv",
        expires_at=now - timedelta(hours=1),
    )
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / export.file_name).write_text("id\n")
    upload = tmp_path / "media" / "uploads" / "old.txt"
    upload.parent.mkdir(parents=True)
    upload.write_text("x")
    old = (now - timedelta(days=40)).timestamp()
    os.utime(upload, (old, old))
    return export, upload


@pytest.mark.django_db
def test_dry_run_changes_nothing(stale, capsys):
    export, upload = stale
    call_command("run_maintenance", "--dry-run")
    assert "dry run: maintenance run" in capsys.readouterr().out
    assert Session.objects.count() == 2
    assert upload.exists() and Export.objects.get().status == "done"
    assert JobRun.objects.get().dry_run is True


@pytest.mark.django_db(transaction=True)
def test_clears_sessions_files_and_vacuums(stale):
    export, upload = stale
    run = maintenance.run(trigger="command")
    assert run.status == "succeeded", run.log_tail
    assert list(Session.objects.values_list("session_key", flat=True)) == ["new"]
    assert not upload.exists()
    assert Export.objects.get().status == "expired"
    assert run.counts["sessions_deleted"] == 1 and run.counts["export_files_deleted"] == 1
    assert run.counts["tables_vacuumed"] >= 5  # outside a transaction on PostgreSQL
    assert "backup orphans" in run.log_tail and "rollups" in run.log_tail
