"""`/api/v1/jobs`: list runs, start maintenance or retention; a second start is refused."""

import pytest

from apps.api.models import ApiToken
from apps.audit.models import AuditEntry
from apps.jobs.models import JobRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(operator):
    _, token = ApiToken.issue(operator, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_start_then_a_second_start_is_told_a_run_is_in_progress(client, auth, operator):
    first = client.post(
        "/api/v1/jobs",
        {"kind": "retention", "dry_run": True},
        content_type="application/json",
        **auth,
    )
    assert first.status_code == 202, first.content
    assert first.json()["status"] == "running" and first.json()["dry_run"] is True
    second = client.post(
        "/api/v1/jobs", {"kind": "retention"}, content_type="application/json", **auth
    )
    assert second.status_code == 409
    assert "already in progress" in second.json()["error"]
    assert JobRun.objects.filter(kind="retention").count() == 1
    assert AuditEntry.objects.get(action="job.trigger").actor == operator


def test_list_and_detail(client, auth):
    client.post("/api/v1/jobs", {"kind": "maintenance"}, content_type="application/json", **auth)
    listing = client.get("/api/v1/jobs?kind=maintenance", **auth).json()
    assert listing["count"] == 1 and listing["items"][0]["trigger"] == "api"
    run_id = listing["items"][0]["id"]
    assert client.get(f"/api/v1/jobs/{run_id}", **auth).json()["kind"] == "maintenance"


def test_bad_kind_and_missing_permission(client, auth, django_user_model):
    bad = client.post("/api/v1/jobs", {"kind": "export"}, content_type="application/json", **auth)
    assert bad.status_code == 400
    nobody = django_user_model.objects.create_user("nobody", password="a-long-password-1")
    _, token = ApiToken.issue(nobody, "t")
    refused = client.post(
        "/api/v1/jobs",
        {"kind": "maintenance"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert refused.status_code == 403
    assert JobRun.objects.count() == 0
