"""/api/v1/maintenance-windows: CRUD with validation of recurrences and time zones."""

import pytest

from apps.incidents.models import MaintenanceWindow

pytestmark = pytest.mark.django_db


def test_window_crud(api, make_service):
    make_service("api")
    make_service("db")
    created = api.post(
        "/api/v1/maintenance-windows",
        {
            "name": "Sunday patching",
            "services": ["api", "db"],
            "starts_at": "2026-01-01T00:00:00Z",
            "recurrence_kind": "cron",
            "recurrence": "0 3 * * 0",
            "tz": "Europe/Berlin",
            "duration_seconds": 3600,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["services"] == ["api", "db"] and body["duration_seconds"] == 3600
    pk = body["id"]
    listed = api.get("/api/v1/maintenance-windows?service=db").json()
    assert listed["count"] == 1 and listed["items"][0]["active"] in (True, False)
    replaced = api.put(
        f"/api/v1/maintenance-windows/{pk}",
        {
            "name": "once",
            "services": ["api"],
            "starts_at": "2026-02-01T00:00:00Z",
            "ends_at": "2026-02-01T02:00:00Z",
        },
        content_type="application/json",
    )
    assert replaced.status_code == 200
    assert replaced.json()["recurrence_kind"] == "none" and replaced.json()["services"] == ["api"]
    assert api.delete(f"/api/v1/maintenance-windows/{pk}").status_code == 204
    assert not MaintenanceWindow.objects.exists()


def test_invalid_windows_are_refused_with_field_errors(api, make_service):
    make_service("api")
    bad = api.post(
        "/api/v1/maintenance-windows",
        {
            "name": "x",
            "services": ["api"],
            "starts_at": "2026-01-01T00:00:00Z",
            "recurrence_kind": "rrule",
            "recurrence": "FREQ=NEVER",
            "tz": "Nowhere/City",
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"recurrence", "tz", "duration_seconds"}
    no_end = api.post(
        "/api/v1/maintenance-windows",
        {"name": "x", "services": ["api"], "starts_at": "2026-01-01T00:00:00Z"},
        content_type="application/json",
    )
    assert no_end.status_code == 400 and "ends_at" in no_end.json()["fields"]
    assert not MaintenanceWindow.objects.exists()
