"""A real Celery worker on the `exports` queue runs an export created through the API."""

import pytest

from apps.api.models import ApiToken
from apps.audit.models import AuditEntry
from apps.jobs.models import Export, JobRun
from tests.conftest import (
    celery_process,
    shared_database_url,
    subprocess_env,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_export_runs_in_a_worker_and_the_link_downloads_it(client, auditor, tmp_path):
    for i in range(25):
        AuditEntry(action=f"worker.test.{i}").save()
    _, token = ApiToken.issue(auditor, "test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    env = subprocess_env(DATABASE_URL=shared_database_url(), EXPORT_DIR=str(tmp_path))
    from django.conf import settings

    settings.EXPORT_DIR = tmp_path
    with celery_process(env, "worker", "-Q", "exports", "-c", "1", "--pool", "solo"):
        response = client.post(
            "/api/v1/exports",
            {
                "kind": "audit_log",
                "format": "jsonl",
                "since": "2000-01-01T00:00:00Z",
                "until": "2100-01-01T00:00:00Z",
            },
            content_type="application/json",
            **auth,
        )
        assert response.status_code == 202, response.content
        export_id = response.json()["id"]
        assert response.json()["status"] == "queued"
        wait_until(
            lambda: Export.objects.get(pk=export_id).status in ("done", "failed"),
            timeout=60,
            what="the worker to finish the export",
        )
    body = client.get(f"/api/v1/exports/{export_id}", **auth).json()
    assert body["status"] == "done" and body["progress"] == 100.0
    assert body["rows_exported"] >= 25
    run = JobRun.objects.get(kind="export")
    assert run.trigger == "api" and run.status == "succeeded" and run.triggered_by == auditor
    download = client.get(body["download_url"], **auth)
    assert download.status_code == 200
    lines = b"".join(download.streaming_content).decode().splitlines()
    assert len(lines) == body["rows_exported"]


def test_exporting_needs_the_permission_of_the_data(client, operator):
    _, token = ApiToken.issue(operator, "test")
    response = client.post(
        "/api/v1/exports",
        {"kind": "audit_log", "since": "2000-01-01T00:00:00Z", "until": "2100-01-01T00:00:00Z"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 403
    assert "audit.view_auditentry" in response.json()["error"]
    assert Export.objects.count() == 0
