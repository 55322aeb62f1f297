"""/api/v1/backup-policies, /backup-runs and /restore-checks."""

import json

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import Permission, User
from django_celery_beat.models import PeriodicTask

from apps.api.models import ApiToken
from apps.audit.models import AuditEntry
from apps.backups import backup
from apps.backups.models import BackupPolicy, BackupRun
from apps.backups.restore import restore_check
from apps.backups.tasks import verify_backup

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth():
    user = User.objects.create_user("ops", password="x-unused-password-1")
    codenames = [
        "view_backuppolicy",
        "add_backuppolicy",
        "change_backuppolicy",
        "delete_backuppolicy",
        "run_backuppolicy",
        "view_backuprun",
        "view_restorecheck",
    ]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    _, clear = ApiToken.issue(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def _send(client, method, url, auth, body=None):
    return getattr(client, method)(
        url,
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        **auth,
    )


def test_policy_crud(client, auth, settings):
    settings.BACKUP_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    body = {
        "name": "api",
        "host": "127.0.0.1",
        "dbname": "shop",
        "user": "postgres",
        "password": "hunter2-secret",
        "schedule": "15 1 * * *",
        "retention": {"keep_last": 3, "keep_daily_days": 5, "keep_weekly_weeks": 2},
        "assertions": ["SELECT true"],
    }
    created = _send(client, "post", "/api/v1/backup-policies", auth, body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["has_stored_password"] is True and "password" not in data
    assert data["retention"] == body["retention"] and data["service"] is None
    row = BackupPolicy.objects.get()
    assert "hunter2" not in row.password_encrypted
    assert PeriodicTask.objects.get(name=f"backup:policy:{row.pk}").crontab.minute == "15"

    patched = _send(
        client,
        "patch",
        f"/api/v1/backup-policies/{row.pk}",
        auth,
        {"schedule": "0 5 * * *", "retention": {"keep_last": 9}},
    )
    assert patched.status_code == 200
    assert patched.json()["retention"]["keep_last"] == 9
    listed = client.get("/api/v1/backup-policies?limit=10", **auth).json()
    assert listed["count"] == 1 and listed["items"][0]["schedule"] == "0 5 * * *"
    assert _send(client, "delete", f"/api/v1/backup-policies/{row.pk}", auth).status_code == 204
    assert not BackupPolicy.objects.exists()


def test_bad_input_is_400_and_changes_nothing(client, auth, settings):
    bad = _send(
        client,
        "post",
        "/api/v1/backup-policies",
        auth,
        {
            "name": "x",
            "host": "h",
            "dbname": "d",
            "user": "u",
            "schedule": "every day",
            "service": "ghost",
        },
    )
    assert bad.status_code == 400
    assert "service" in bad.json()["fields"]
    bad = _send(
        client,
        "post",
        "/api/v1/backup-policies",
        auth,
        {"name": "x", "host": "h", "dbname": "d", "user": "u", "schedule": "every day"},
    )
    assert "five-field crontab" in bad.json()["fields"]["schedule"]
    settings.BACKUP_S3_BUCKET = ""
    bad = _send(
        client,
        "post",
        "/api/v1/backup-policies",
        auth,
        {"name": "x", "host": "h", "dbname": "d", "user": "u", "storage": "s3"},
    )
    assert bad.status_code == 400
    assert "BACKUP_S3_BUCKET" in bad.json()["fields"]["storage"]
    assert not BackupPolicy.objects.exists()


def test_policy_stores_in_s3_when_a_bucket_is_configured(client, auth, settings):
    settings.BACKUP_S3_BUCKET = "ops-backups"
    body = {"name": "s3", "host": "h", "dbname": "d", "user": "u", "storage": "s3"}
    created = _send(client, "post", "/api/v1/backup-policies", auth, body)
    assert created.status_code == 201, created.content
    assert created.json()["storage"] == "s3"
    assert BackupPolicy.objects.get().storage == "s3"


def test_run_now_is_queued_once(client, auth, policy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = _send(client, "post", f"/api/v1/backup-policies/{policy.pk}/run", auth)
    assert first.status_code == 202 and first.json()["status"] == "queued"
    assert len(callbacks) == 1
    second = _send(client, "post", f"/api/v1/backup-policies/{policy.pk}/run", auth)
    assert second.status_code == 409
    assert "already running" in second.json()["error"]
    assert BackupRun.objects.count() == 1
    entry = AuditEntry.objects.get(action="backup.trigger")
    assert entry.actor_name == "ops" and entry.target_id == str(first.json()["id"])


def test_runs_checks_and_verify(client, auth, policy, django_capture_on_commit_callbacks):
    run = backup.run(policy, trigger="command")
    restore_check(policy, trigger="command")
    runs = client.get(f"/api/v1/backup-runs?policy={policy.pk}&status=succeeded", **auth).json()
    assert runs["count"] == 1 and runs["items"][0]["sha256"] == run.sha256
    assert runs["items"][0]["size_bytes"] == run.size_bytes
    checks = client.get(f"/api/v1/restore-checks?policy={policy.pk}", **auth).json()
    assert checks["items"][0]["status"] == "passed"
    assert checks["items"][0]["tables"]["public.customers"] == 500
    with django_capture_on_commit_callbacks() as callbacks:
        verified = _send(client, "post", f"/api/v1/backup-runs/{run.pk}/verify", auth)
    assert verified.status_code == 202 and len(callbacks) == 1
    assert AuditEntry.objects.get(action="backup.verify").actor_name == "ops"
    verify_backup(run.pk)  # what the queued task does in the worker
    run.refresh_from_db()
    assert run.verify_ok is True and run.verified_at is not None
    assert client.get("/api/v1/backup-runs/999999", **auth).status_code == 404


def test_permissions_are_checked(client, policy):
    user = User.objects.create_user("viewer", password="x-unused-password-2")
    _, clear = ApiToken.issue(user, "t")
    response = client.post(
        f"/api/v1/backup-policies/{policy.pk}/run", HTTP_AUTHORIZATION=f"Bearer {clear}"
    )
    assert response.status_code == 403
    assert not BackupRun.objects.exists()
