"""Heartbeat ping URLs: signals, bodies, run time, no token, no CSRF."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.monitoring.heartbeats import PingIn, record_ping
from apps.monitoring.models import Monitor, Ping, StateChange
from tests.monitoring.conftest import make_monitor

pytestmark = pytest.mark.django_db


@pytest.fixture
def beat(service) -> Monitor:
    return make_monitor(
        service, kind="heartbeat", target="", period_seconds=3600, grace_seconds=600,
        failures_before_down=1,
    )  # fmt: skip


def test_success_ping_by_get_and_post(client, beat):
    response = client.get(f"/ping/{beat.ping_key}")
    assert response.status_code == 200 and response.content == b"OK\n"
    beat.refresh_from_db()
    assert beat.state == "up" and beat.last_ping_at is not None
    # The deadline moves to now + period + grace.
    assert abs((beat.next_due_at - beat.last_ping_at) - timedelta(seconds=4200)) < timedelta(
        seconds=1
    )
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(
        f"/ping/{beat.ping_key}", data=b"backup done: 42 MB", content_type="text/plain"
    )
    assert response.status_code == 200
    assert Ping.objects.filter(monitor=beat).latest("received_at").body == "backup done: 42 MB"


def test_body_is_kept_up_to_10_kb(client, beat):
    client.post(f"/ping/{beat.ping_key}", data=b"x" * 15_000, content_type="text/plain")
    assert len(Ping.objects.get(monitor=beat).body) == 10_000


def test_binary_body_is_stored_readably(client, beat):
    response = client.post(f"/ping/{beat.ping_key}", data=b"a\x00b\xff", content_type="text/plain")
    assert response.status_code == 200
    assert Ping.objects.get(monitor=beat).body == "a\ufffdb\ufffd"


def test_fail_and_exit_codes(client, beat):
    client.get(f"/ping/{beat.ping_key}")
    assert client.get(f"/ping/{beat.ping_key}/fail").status_code == 200
    beat.refresh_from_db()
    assert beat.state == "down"
    assert client.get(f"/ping/{beat.ping_key}/0").status_code == 200
    beat.refresh_from_db()
    assert beat.state == "up"
    client.post(f"/ping/{beat.ping_key}/3", data=b"disk full", content_type="text/plain")
    beat.refresh_from_db()
    assert beat.state == "down"
    last = Ping.objects.filter(monitor=beat).latest("received_at")
    assert (last.kind, last.exit_code) == ("fail", 3)
    assert StateChange.objects.filter(monitor=beat).latest("at").reason == "exit code 3"


def test_run_time_between_start_and_success(beat):
    t0 = timezone.now()
    record_ping(PingIn(key=beat.ping_key, kind="start"), now=t0)
    record_ping(PingIn(key=beat.ping_key, kind="success"), now=t0 + timedelta(seconds=95.5))
    beat.refresh_from_db()
    assert beat.last_run_seconds == pytest.approx(95.5)
    assert Ping.objects.get(monitor=beat, kind="success").duration_ms == 95_500
    assert beat.last_start_at is None


def test_start_alone_changes_no_state(client, beat):
    assert client.get(f"/ping/{beat.ping_key}/start").status_code == 200
    beat.refresh_from_db()
    assert beat.state == "pending" and beat.last_start_at is not None and beat.last_ping_at is None


def test_unknown_key_and_bad_signal(client, beat):
    assert client.get(f"/ping/{uuid.uuid4()}").status_code == 404
    assert client.get(f"/ping/{beat.ping_key}/reboot").status_code == 400
    assert client.get(f"/ping/{beat.ping_key}/256").status_code == 400
    assert client.get(f"/ping/{beat.ping_key}/²").status_code == 400
    assert client.get("/ping/not-a-uuid").status_code == 404
    assert client.put(f"/ping/{beat.ping_key}").status_code == 405
    assert Ping.objects.count() == 0


def test_probe_monitors_have_no_ping_url(client, service):
    http = make_monitor(service, target="http://127.0.0.1:1/")
    assert client.get(f"/ping/{http.ping_key}").status_code == 404


def test_paused_heartbeat_keeps_pings_but_stays_paused(client, beat):
    Monitor.objects.filter(pk=beat.pk).update(state="paused")
    assert client.get(f"/ping/{beat.ping_key}").status_code == 200
    beat.refresh_from_db()
    assert beat.state == "paused" and Ping.objects.filter(monitor=beat).count() == 1
