"""POST /api/v1/intake/alertmanager with the webhook payload from Alertmanager's docs."""

import copy

import pytest

from apps.incidents.models import Incident

pytestmark = pytest.mark.django_db(transaction=True)

# The documented webhook body (prometheus.io/docs/alerting/latest/configuration/#webhook_config).
FIRING = {
    "version": "4",
    "groupKey": '{}:{alertname="HighLatency"}',
    "truncatedAlerts": 0,
    "status": "firing",
    "receiver": "portal",
    "groupLabels": {"alertname": "HighLatency"},
    "commonLabels": {"alertname": "HighLatency", "severity": "critical"},
    "commonAnnotations": {},
    "externalURL": "http://127.0.0.1:9093",
    "alerts": [
        {
            "status": "firing",
            "labels": {
                "alertname": "HighLatency",
                "severity": "critical",
                "service": "api",
                "instance": "api-1:9100",
            },
            "annotations": {"summary": "p95 above 2 s on api", "description": "p95 is 3.1 s"},
            "startsAt": "2026-05-04T10:00:00.000Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://127.0.0.1:9090/graph?g0.expr=latency",
            "fingerprint": "c0ffee0123456789",
        },
        {
            "status": "firing",
            "labels": {"alertname": "DiskFilling", "severity": "warning"},
            "annotations": {},
            "startsAt": "2026-05-04T10:00:00.000Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://127.0.0.1:9090/graph",
            "fingerprint": "0badcafe00000001",
        },
    ],
}


def post(api, body):
    return api.post("/api/v1/intake/alertmanager", body, content_type="application/json")


def test_firing_opens_repeat_updates_resolved_resolves(api, make_service):
    make_service("api")
    first = post(api, FIRING)
    assert first.status_code == 200, first.content
    assert len(first.json()["opened_or_updated"]) == 2
    latency = Incident.objects.get(cause="alertmanager:c0ffee0123456789")
    assert latency.title == "p95 above 2 s on api" and latency.severity == "SEV1"
    assert list(latency.services.values_list("slug", flat=True)) == ["api"]
    disk = Incident.objects.get(cause="alertmanager:0badcafe00000001")
    assert disk.title == "DiskFilling" and disk.severity == "SEV3"

    assert post(api, FIRING).json()["opened_or_updated"] == first.json()["opened_or_updated"]
    assert Incident.objects.count() == 2

    resolved = copy.deepcopy(FIRING)
    resolved["status"] = "resolved"
    resolved["alerts"] = resolved["alerts"][:1]
    resolved["alerts"][0]["status"] = "resolved"
    resolved["alerts"][0]["endsAt"] = "2026-05-04T10:20:00.000Z"
    assert post(api, resolved).json()["resolved"] == [latency.pk]
    latency.refresh_from_db()
    disk.refresh_from_db()
    assert latency.status == "resolved" and disk.status == "investigating"


def test_intake_needs_a_token_and_a_payload(client, api, settings):
    assert (
        client.post(
            "/api/v1/intake/alertmanager", FIRING, content_type="application/json"
        ).status_code
        == 401
    )
    bad = post(api, {"version": "4"})
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"alerts"}
    assert not Incident.objects.exists()
