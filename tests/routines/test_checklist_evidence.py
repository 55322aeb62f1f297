"""Items the portal can prove are ticked from real evidence rows in their period, and only then."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.backups.models import BackupPolicy, BackupRun, RestoreCheck
from apps.incidents.models import Incident
from apps.routines import evidence
from apps.routines.checklists import run_routines
from apps.routines.models import OccurrenceItem
from tests.routines.conftest import make_checklist

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 13, 12, 0, tzinfo=UTC)  # Wednesday; the daily period began at 00:00


@pytest.fixture
def policy():
    return BackupPolicy.objects.create(name="portal", kind="portal", dbname="portal")


def _run(policy, status, finished_at):
    return BackupRun.objects.create(
        policy=policy,
        status=status,
        trigger="beat",
        started_at=finished_at - timedelta(minutes=2),
        finished_at=finished_at,
        size_bytes=1234,
    )


def test_backup_item_is_ticked_by_a_successful_run_in_the_period(only_my_checklists, policy):
    make_checklist(items=[("Confirm the backup ran", "backup_ran")])
    _run(policy, "failed", NOW - timedelta(hours=1))
    _run(policy, "succeeded", NOW - timedelta(days=1))  # yesterday's does not count
    run_routines(now=NOW)
    row = OccurrenceItem.objects.get()
    assert row.ticked_at is None and row.evidence_summary == ""

    good = _run(policy, "succeeded", NOW + timedelta(minutes=3))
    report = run_routines(now=NOW + timedelta(minutes=5))
    row.refresh_from_db()
    assert report.auto_ticked == 1
    assert row.ticked_at == NOW + timedelta(minutes=5) and row.ticked_by is None
    assert row.evidence_object == good
    assert row.evidence_url == f"/admin/backups/backuprun/{good.pk}/change/"
    assert f"#{good.pk} succeeded" in row.evidence_summary
    assert row.occurrence.completed_at is not None


def test_restore_check_item_needs_a_passed_check_this_week(only_my_checklists, policy):
    make_checklist("Weekly", "weekly", items=[("Test a restore", "restore_check_passed")])
    RestoreCheck.objects.create(
        policy=policy, status="failed", trigger="beat", finished_at=NOW - timedelta(hours=2)
    )
    run_routines(now=NOW)
    assert OccurrenceItem.objects.get().ticked_at is None
    check = RestoreCheck.objects.create(
        policy=policy,
        status="passed",
        trigger="beat",
        finished_at=NOW - timedelta(hours=1),
        tables={"auth_user": 3},
    )
    run_routines(now=NOW)
    row = OccurrenceItem.objects.get()
    assert row.evidence_object == check and "passed" in row.evidence_summary


def test_disk_item_follows_the_threshold(only_my_checklists, settings, tmp_path):
    settings.ROUTINES_DISK_PATH = str(tmp_path)
    used = evidence.disk_used_percent(str(tmp_path))
    make_checklist(items=[("Check disk space", "disk_below_threshold")])
    settings.ROUTINES_DISK_MAX_PERCENT = max(used - 1, 0)
    run_routines(now=NOW)
    assert OccurrenceItem.objects.get().ticked_at is None
    settings.ROUTINES_DISK_MAX_PERCENT = min(used + 1, 100.01)
    run_routines(now=NOW)
    row = OccurrenceItem.objects.get()
    assert row.ticked_at is not None and str(tmp_path) in row.evidence_summary


def test_open_sev1_blocks_the_item_until_resolved(only_my_checklists):
    make_checklist(items=[("No SEV1 open", "no_open_sev1")])
    incident = Incident.objects.create(title="everything is down", severity="SEV1")
    run_routines(now=NOW)
    assert OccurrenceItem.objects.get().ticked_at is None
    Incident.objects.filter(pk=incident.pk).update(status="resolved", resolved_at=NOW)
    run_routines(now=NOW)
    assert OccurrenceItem.objects.get().ticked_at is not None


def test_items_without_evidence_wait_for_a_person(only_my_checklists, policy):
    make_checklist(items=[("Check the error logs", ""), ("Backup", "backup_ran")])
    _run(policy, "succeeded", NOW - timedelta(minutes=1))
    run_routines(now=NOW)
    ticked = dict(OccurrenceItem.objects.values_list("text", "ticked_at"))
    assert ticked["Check the error logs"] is None and ticked["Backup"] is not None


def test_every_provider_is_registered_with_a_label():
    assert set(evidence.PROVIDERS) >= {
        "backup_ran",
        "restore_check_passed",
        "disk_below_threshold",
        "no_open_sev1",
    }
    assert all(label for _, label in evidence.choices())
