"""The portal registers itself at first start; /metrics shows services and monitors."""

import io

import pytest

from apps.monitoring.bootstrap import register_self
from apps.monitoring.models import Monitor, Service
from tests.monitoring.conftest import make_monitor

pytestmark = pytest.mark.django_db


def test_register_self_is_idempotent(settings):
    settings.PORTAL_URL = "http://127.0.0.1:8123/"
    out = io.StringIO()
    register_self(out)
    register_self(out)
    service = Service.objects.get(slug="operations-portal")
    assert [m.target for m in service.monitors.all()] == ["http://127.0.0.1:8123/health"]
    assert out.getvalue().count("Monitoring the portal itself") == 1


def test_metrics_show_states(client, metrics_open, service):
    make_monitor(service, target="http://127.0.0.1:1/")
    Monitor.objects.update(state="down", last_latency_ms=42)
    Service.objects.update(state="down")
    body = client.get("/metrics").content.decode()
    assert 'portal_services{state="down"} 1.0' in body
    assert 'portal_monitors{kind="http",state="down"} 1.0' in body
    assert 'portal_probe_latency_ms{kind="http"} 42.0' in body
