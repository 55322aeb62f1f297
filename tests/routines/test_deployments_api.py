"""Deploy events through the API: stored, filtered, on the service timeline and on incidents."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.incidents.intake import report_problem
from apps.monitoring.models import Service
from apps.routines.deployments import timeline_for_service
from apps.routines.models import Deployment

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return Service.objects.create(name="API", slug="api", environment="production")


def _post(client, token, **body):
    return client.post(
        "/api/v1/deployments",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_ci_posts_a_deployment_and_lists_it_with_filters(client, token, api):
    Service.objects.create(name="Web", slug="web")
    started = datetime(2026, 5, 13, 10, 0, tzinfo=UTC)
    response = _post(
        client,
        token,
        service="api",
        version="1.4.2",
        commit="a1b2c3d4e5f6a7b8",
        who="github-actions",
        started_at=started.isoformat(),
        finished_at=(started + timedelta(minutes=3)).isoformat(),
        outcome="succeeded",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["service"] == "api" and body["environment"] == "production"
    _post(client, token, service="web", version="9", started_at=started.isoformat())
    auth = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/deployments?service=api", headers=auth).json()
    assert [d["version"] for d in listed["items"]] == ["1.4.2"] and listed["count"] == 1
    since = (started + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    in_window = client.get(f"/api/v1/deployments?since={since}", headers=auth).json()
    assert [d["version"] for d in in_window["items"]] == ["1.4.2"]  # finished at +3 min
    assert client.get("/api/v1/deployments?outcome=failed", headers=auth).json()["count"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"service": "nope", "version": "1"}, "service"),
        ({"service": "api", "version": "1", "outcome": "exploded"}, "outcome"),
        ({"service": "api", "version": "1", "finished_at": "2026-05-13T09:00:00Z"}, "finished_at"),
        ({"service": "api"}, "version"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(client, token, api, body, field):
    response = _post(client, token, started_at="2026-05-13T10:00:00Z", **body)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Deployment.objects.exists()


def test_a_deployment_needs_a_token(client, api):
    response = client.post(
        "/api/v1/deployments",
        {"service": "api", "version": "1", "started_at": "2026-05-13T10:00:00Z"},
        content_type="application/json",
    )
    assert response.status_code == 401 and not Deployment.objects.exists()


def test_service_timeline_shows_deployments_in_the_period(api):
    at = datetime(2026, 5, 13, 10, 0, tzinfo=UTC)
    for n, hours in enumerate([-30, -2, -1]):
        Deployment.objects.create(
            service=api, version=f"1.{n}", started_at=at + timedelta(hours=hours)
        )
    entries = timeline_for_service(api, at - timedelta(hours=3), at)
    assert [e.title for e in entries] == [
        "Deployed 1.1 to production",
        "Deployed 1.2 to production",
    ]
    assert entries[0].kind == "deployment" and entries[0].at < entries[1].at


def test_incident_after_a_deploy_says_deployed_minutes_before(
    client, token, api, django_capture_on_commit_callbacks
):
    now = timezone.now().replace(microsecond=0)
    started = now - timedelta(minutes=15)
    _post(
        client,
        token,
        service="api",
        version="2.0.0",
        commit="deadbeefcafe0001",
        who="ci",
        started_at=started.isoformat(),
        finished_at=(started + timedelta(minutes=3)).isoformat(),
    )
    old = now - timedelta(hours=3)
    Deployment.objects.create(service=api, version="1.9.9", started_at=old, finished_at=old)
    with django_capture_on_commit_callbacks(execute=True):
        incident = report_problem("monitor:999", "API is down", service_ids=[api.pk], now=now)
    texts = list(incident.updates.values_list("text", flat=True))
    deployed = [t for t in texts if t.startswith("Deployed")]
    assert deployed == [
        "Deployed api 2.0.0 (deadbeefcafe) to production by ci [succeeded] 12 minutes before "
        "this incident opened."
    ]
    # The incidents API's timeline shows it too.
    timeline = client.get(
        f"/api/v1/incidents/{incident.pk}/updates", headers={"Authorization": f"Bearer {token}"}
    )
    assert timeline.status_code == 200
    assert "12 minutes before" in timeline.content.decode()
