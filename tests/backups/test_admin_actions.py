"""The admin's "Back up now", "Restore check now" and "Verify now" actions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.backups import backup
from apps.backups.models import BackupRun
from apps.backups.restore import restore_check

pytestmark = pytest.mark.django_db


def _act(client, model: str, action: str, pk: int) -> str:  # noqa: ANN001
    """Run an admin action on one row; returns the messages it left, joined."""
    page = client.post(
        f"/admin/backups/{model}/",
        {"action": action, "_selected_action": [str(pk)]},
        follow=True,
    )
    assert page.status_code == 200
    return " | ".join(str(m) for m in page.context["messages"])


def test_back_up_now_claims_a_run_and_audits_who(admin_client, policy, admin_user):
    assert _act(admin_client, "backuppolicy", "back_up_now", policy.pk) == "shop: backup queued"
    run = BackupRun.objects.get()
    assert (run.status, run.trigger) == ("queued", "admin")
    entry = AuditEntry.objects.get(action="backup.trigger")
    assert entry.actor == admin_user and entry.target_id == str(run.pk)

    assert "already running" in _act(admin_client, "backuppolicy", "back_up_now", policy.pk)
    assert BackupRun.objects.count() == 1


def test_restore_check_and_verify_now_are_audited(admin_client, policy, admin_user):
    done = _act(admin_client, "backuppolicy", "restore_check_now", policy.pk)
    assert done == "shop: restore check queued"
    assert AuditEntry.objects.get(action="backup.restore_check").actor == admin_user
    run = backup.run(policy, trigger="command")
    assert _act(admin_client, "backuprun", "verify_now", run.pk) == "1 verification(s) queued"
    assert AuditEntry.objects.get(action="backup.verify").target_id == str(run.pk)


def test_policy_list_shows_backup_and_check_state(admin_client, policy):
    page = admin_client.get("/admin/backups/backuppolicy/").content.decode()
    assert "none yet" in page and "never" in page
    backup.run(policy, trigger="command")
    restore_check(policy, trigger="command")
    page = admin_client.get("/admin/backups/backuppolicy/").content.decode()
    assert ">Succeeded<" in page and ">Passed " in page and "too old" not in page
    BackupRun.objects.update(finished_at=timezone.now() - timedelta(days=3))
    policy.assertions = "SELECT false"
    policy.save()
    restore_check(policy, trigger="command")
    page = admin_client.get("/admin/backups/backuppolicy/").content.decode()
    assert "(too old)" in page and ">Failed " in page
    assert "assertion failed: SELECT false" in page  # the reason, as the cell's title
