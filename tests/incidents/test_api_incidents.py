"""/api/v1/incidents: CRUD, filters, timeline updates, permissions, bad input."""

import pytest
from django.contrib.auth.models import User

from apps.api.models import ApiToken
from apps.incidents.models import Incident

pytestmark = pytest.mark.django_db(transaction=True)


def test_declare_update_acknowledge_and_resolve(api, make_service):
    make_service("api")
    created = api.post(
        "/api/v1/incidents",
        {"title": "Checkout errors", "severity": "SEV1", "services": ["api"], "text": "500s"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["services"] == ["api"] and body["status"] == "investigating"
    assert body["automatic"] is False and body["cause"] == ""
    pk = body["id"]

    ack = api.patch(
        f"/api/v1/incidents/{pk}",
        {"acknowledged": True, "status": "identified"},
        content_type="application/json",
    ).json()
    assert ack["acknowledged_by"] == "boss" and ack["status"] == "identified"
    assert ack["time_to_acknowledge_seconds"] >= 0

    update = api.post(
        f"/api/v1/incidents/{pk}/updates",
        {"text": "Rolled back", "status": "resolved"},
        content_type="application/json",
    )
    assert update.status_code == 201
    assert update.json()["user"] == "boss" and update.json()["status"] == "resolved"
    incident = api.get(f"/api/v1/incidents/{pk}").json()
    assert incident["status"] == "resolved" and incident["time_to_resolve_seconds"] >= 0

    timeline = api.get(f"/api/v1/incidents/{pk}/updates").json()["items"]
    texts = [t["text"] for t in timeline]
    assert texts[0] == "500s" and "Acknowledged by boss." in texts and texts[-1] == "Rolled back"

    again = api.post(
        f"/api/v1/incidents/{pk}/updates",
        {"text": "", "status": "resolved"},
        content_type="application/json",
    )
    assert again.status_code == 400

    assert api.delete(f"/api/v1/incidents/{pk}").status_code == 204
    assert not Incident.objects.filter(pk=pk).exists()


def test_list_filters_and_pagination(api, make_service):
    make_service("db")
    Incident.objects.create(title="a", severity="SEV1", cause="monitor:1")
    Incident.objects.create(
        title="b", severity="SEV3", status="resolved", resolved_at="2026-01-01T00:00Z"
    )
    c = Incident.objects.create(title="c", severity="SEV3")
    c.services.set([make_service("web")])
    page = api.get("/api/v1/incidents?open=true&limit=1").json()
    assert page["count"] == 2 and len(page["items"]) == 1
    assert [i["title"] for i in api.get("/api/v1/incidents?severity=SEV3").json()["items"]] == [
        "c",
        "b",
    ]
    assert [i["title"] for i in api.get("/api/v1/incidents?service=web").json()["items"]] == ["c"]
    assert [i["title"] for i in api.get("/api/v1/incidents?cause=monitor:1").json()["items"]] == [
        "a"
    ]


def test_bad_input_changes_nothing(api):
    bad = api.post(
        "/api/v1/incidents", {"title": "x", "severity": "SEV9"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "severity" in bad.json()["fields"]
    unknown = api.post(
        "/api/v1/incidents", {"title": "x", "services": ["nope"]}, content_type="application/json"
    )
    assert unknown.status_code == 400 and unknown.json()["fields"] == {"services": "unknown slug"}
    empty = api.post(
        "/api/v1/incidents/999/updates", {"text": "hi"}, content_type="application/json"
    )
    assert empty.status_code == 404
    assert not Incident.objects.exists()


def test_permissions_are_required(client, settings):
    settings.RATELIMIT_API = "0"
    viewer = User.objects.create_user("viewer")
    _, clear = ApiToken.issue(viewer, "t")
    response = client.get("/api/v1/incidents", HTTP_AUTHORIZATION=f"Bearer {clear}")
    assert response.status_code == 403
    assert client.get("/api/v1/incidents").status_code == 401


def test_list_query_count_does_not_grow_with_rows(api, make_service, django_assert_max_num_queries):
    services = [make_service(f"s{i}") for i in range(3)]
    for i in range(30):
        incident = Incident.objects.create(title=f"i{i}", acknowledged_by=api.user)
        incident.services.set(services)
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/incidents?limit=30").json()["items"]) == 30
