"""/metrics exposes open incidents by severity."""

import pytest

from apps.incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_open_incidents_by_severity(client, metrics_open):
    Incident.objects.create(title="a", severity="SEV1")
    Incident.objects.create(title="b", severity="SEV1", acknowledged_at="2026-01-01T00:00Z")
    Incident.objects.create(
        title="c", severity="SEV3", status="resolved", resolved_at="2026-01-01T00:00Z"
    )
    text = client.get("/metrics").content.decode()
    assert 'portal_incidents_open{severity="SEV1"} 2.0' in text
    assert 'portal_incidents_open{severity="SEV3"} 0.0' in text
    assert "portal_incidents_unacknowledged 1.0" in text
