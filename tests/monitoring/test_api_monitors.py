"""`/api/v1/monitors`: CRUD, probe now, results, filters, permissions, bad input."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.monitoring.models import Monitor, ProbeResult, Service
from tests.monitoring.conftest import bearer, make_monitor, token_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/monitors"


@pytest.fixture
def token():
    return token_for(superuser=True)


def send(client, method, url, token, body):
    return getattr(client, method)(url, body, content_type="application/json", **bearer(token))


def test_tokens_and_permissions(client, service):
    m = make_monitor(service, target="http://127.0.0.1:1/")
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}/{m.pk}", **bearer("nope")).status_code == 401
    viewer = token_for("view_monitor")
    assert client.get(f"{URL}/{m.pk}", **bearer(viewer)).status_code == 200
    assert client.post(f"{URL}/{m.pk}/probe", **bearer(viewer)).status_code == 403
    assert send(client, "patch", f"{URL}/{m.pk}", viewer, {"name": "x"}).status_code == 403
    assert client.delete(f"{URL}/{m.pk}", **bearer(viewer)).status_code == 403


def test_create_http_and_heartbeat(client, token, service):
    response = send(client, "post", URL, token, {
        "service": "shop", "kind": "http", "target": "http://127.0.0.1:9/health",
        "interval_seconds": 30, "timeout_seconds": 5, "failures_before_down": 3,
    })  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["service"] == "shop" and body["state"] == "pending" and body["ping_url"] is None
    assert body["failures_before_down"] == 3 and body["next_due_at"] is not None
    beat = send(client, "post", URL, token, {
        "service": "shop", "kind": "heartbeat", "cron": "0 2 * * *", "tz": "Europe/Berlin",
    }).json()  # fmt: skip
    key = Monitor.objects.get(pk=beat["id"]).ping_key
    assert beat["ping_url"] == f"http://testserver/ping/{key}"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "http", "target": "file://localhost/etc/passwd"}, "target"),
        ({"kind": "http", "target": "http://x/", "interval_seconds": 5}, "interval_seconds"),
        (
            {"kind": "http", "target": "http://x/", "timeout_seconds": 90, "interval_seconds": 60},
            "timeout_seconds",
        ),
        ({"kind": "tcp", "target": "db.internal"}, "target"),
        ({"kind": "smtp", "target": "x"}, "kind"),
        ({"kind": "heartbeat", "cron": "every day"}, "cron"),
        ({"kind": "heartbeat", "tz": "Mars/Olympus"}, "tz"),
        ({"kind": "http", "target": "http://x/", "service": "ghost"}, "service"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(client, token, service, body, field):
    response = send(client, "post", URL, token, {"service": "shop", **body})
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert Monitor.objects.count() == 0


def test_update_pause_resume_delete(client, token, service):
    m = make_monitor(service, target="http://127.0.0.1:1/")
    body = send(
        client, "patch", f"{URL}/{m.pk}", token, {"interval_seconds": 120, "paused": True}
    ).json()
    assert (
        body["interval_seconds"] == 120
        and body["state"] == "paused"
        and body["next_due_at"] is None
    )
    assert (
        send(client, "patch", f"{URL}/{m.pk}", token, {"paused": False}).json()["state"]
        == "pending"
    )
    bad = send(client, "patch", f"{URL}/{m.pk}", token, {"target": "gopher://x/"})
    assert bad.status_code == 400 and "target" in bad.json()["fields"]
    assert Monitor.objects.get(pk=m.pk).target == "http://127.0.0.1:1/"
    assert client.delete(f"{URL}/{m.pk}", **bearer(token)).status_code == 204
    assert client.get(f"{URL}/{m.pk}", **bearer(token)).status_code == 404
    assert client.delete(f"{URL}/{m.pk}", **bearer(token)).status_code == 404


def test_probe_now_and_results_since(client, token, service, target):
    m = make_monitor(service, target=target.set("/h", status=200))
    response = client.post(f"{URL}/{m.pk}/probe", **bearer(token))
    assert response.status_code == 200 and response.json()["ok"] is True
    target.set("/h", status=500)
    assert client.post(f"{URL}/{m.pk}/probe", **bearer(token)).json()["error"] == "status 500"
    old = ProbeResult.objects.create(
        monitor=m, checked_at=timezone.now() - timedelta(days=1), ok=True, latency_ms=3
    )
    everything = client.get(f"{URL}/{m.pk}/results", **bearer(token)).json()
    assert everything["count"] == 3 and everything["items"][0]["status_code"] == 500
    since = (old.checked_at + timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
    recent = client.get(f"{URL}/{m.pk}/results", {"since": since}, **bearer(token)).json()
    assert recent["count"] == 2
    assert client.get(f"{URL}/{m.pk}/results?since=yesterday", **bearer(token)).status_code == 400
    assert client.get(f"{URL}/999999/results", **bearer(token)).status_code == 404
    beat = make_monitor(service, kind="heartbeat", target="")
    refused = client.post(f"{URL}/{beat.pk}/probe", **bearer(token))
    assert refused.status_code == 400 and "pinged" in refused.json()["error"]


def test_list_filters_pagination_and_query_count(client, token, service):
    other = Service.objects.create(name="Other", slug="other")
    for i in range(6):
        make_monitor(service if i < 4 else other, target="http://127.0.0.1:1/", name=f"m{i}")
    make_monitor(other, kind="heartbeat", target="")
    assert client.get(f"{URL}?service=other", **bearer(token)).json()["count"] == 3
    assert client.get(f"{URL}?kind=heartbeat", **bearer(token)).json()["count"] == 1
    page = client.get(f"{URL}?limit=3&offset=3", **bearer(token)).json()
    assert page["count"] == 7 and len(page["items"]) == 3
    assert client.get(f"{URL}?kind=smtp", **bearer(token)).status_code == 400
    with CaptureQueriesContext(connection) as few:
        client.get(f"{URL}?limit=1", **bearer(token))
    with CaptureQueriesContext(connection) as many:
        client.get(f"{URL}?limit=7", **bearer(token))
    assert len(few) == len(many)
