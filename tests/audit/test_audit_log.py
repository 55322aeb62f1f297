"""The audit log records admin changes with before/after, logins and failures; it is read-only."""

import pytest
from django.contrib.auth.models import User

from apps.audit.log import record
from apps.audit.models import AuditEntry
from apps.jobs.models import RetentionPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return User.objects.create_superuser("boss", password="a-long-test-password-1")


def test_admin_change_records_who_and_before_and_after(client, admin_user):
    policy = RetentionPolicy.for_kind("audit_log")
    client.force_login(admin_user)
    response = client.post(
        f"/admin/jobs/retentionpolicy/{policy.pk}/change/", {"days": "30", "enabled": "on"}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="admin.change")
    assert entry.actor == admin_user and entry.target_type == "jobs.retentionpolicy"
    assert entry.detail["before"] == {"days": 90} and entry.detail["after"] == {"days": 30}


def test_admin_delete_and_add_are_recorded_with_secrets_redacted(client, admin_user):
    client.force_login(admin_user)
    client.post(
        "/admin/auth/user/add/",
        {
            "username": "newbie",
            "password1": "Zx9!long-pass",
            "password2": "Zx9!long-pass",
            "usable_password": "true",
        },
    )
    added = AuditEntry.objects.get(action="admin.add", target_type="auth.user")
    assert added.detail["after"]["username"] == "newbie"
    assert added.detail["after"]["password"] == "***"
    newbie = User.objects.get(username="newbie")
    client.post(f"/admin/auth/user/{newbie.pk}/delete/", {"post": "yes"})
    assert AuditEntry.objects.get(action="admin.delete").target_repr == "newbie"


def test_login_and_failed_login(client, admin_user):
    client.post("/admin/login/", {"username": "boss", "password": "wrong"})
    failed = AuditEntry.objects.get(action="auth.login_failed")
    assert failed.detail == {"username": "boss"} and failed.ip == "127.0.0.1"
    assert "wrong" not in str(failed.detail)
    client.post("/admin/login/", {"username": "boss", "password": "a-long-test-password-1"})
    assert AuditEntry.objects.get(action="auth.login").actor == admin_user


def test_entries_cannot_be_changed_or_deleted_even_by_a_superuser(client, admin_user):
    entry = record("backup.restore", actor=admin_user, detail={"database": "scratch"})
    client.force_login(admin_user)
    url = f"/admin/audit/auditentry/{entry.pk}/change/"
    assert client.get(url).status_code == 200  # viewable
    client.post(url, {"action": "tampered"})
    assert (
        client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    entry.refresh_from_db()
    assert entry.action == "backup.restore"
    entry.action = "x"
    with pytest.raises(PermissionError):
        entry.save()


def test_admin_list_is_searchable(client, admin_user):
    record("job.trigger", detail={"kind": "maintenance"})
    record("auth.login", actor=admin_user)
    client.force_login(admin_user)
    page = client.get("/admin/audit/auditentry/?q=job.trigger").content.decode()
    assert "job.trigger" in page and "1 result" in page
