"""Pings through gunicorn take the WSGI fast path: same answers, stored, rate-limited."""

import urllib.request

import pytest

from apps.monitoring.models import Monitor, Ping
from tests.conftest import gunicorn_server, http_get, shared_database_url, subprocess_env
from tests.monitoring.conftest import make_monitor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def beat(service) -> Monitor:
    return make_monitor(
        service, kind="heartbeat", target="", period_seconds=3600, grace_seconds=600,
        failures_before_down=1,
    )  # fmt: skip


def _post(url: str, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_pings_through_gunicorn(beat):
    env = subprocess_env(DATABASE_URL=shared_database_url(), RATELIMIT_PING="0")
    with gunicorn_server(env) as base:
        url = f"{base}/ping/{beat.ping_key}"
        assert http_get(url) == (200, b"OK\n")
        assert http_get(f"{url}/start") == (200, b"OK\n")
        assert _post(f"{url}/0", b"x" * 12_000) == 200
        assert http_get(f"{url}/fail")[0] == 200
        assert http_get(f"{url}/nonsense") == (
            400,
            b"unknown signal: use /start, /fail or an exit code 0-255\n",
        )
        assert http_get(f"{base}/ping/00000000-0000-0000-0000-000000000000")[0] == 404
        put = urllib.request.Request(url, data=b"", method="PUT")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(put, timeout=10)
        assert refused.value.code == 405  # not a ping method: Django answers
    pings = list(Ping.objects.filter(monitor=beat).order_by("received_at"))
    assert [p.kind for p in pings] == ["success", "start", "success", "fail"]
    assert len(pings[2].body) == 10_000
    assert pings[2].exit_code == 0
    assert pings[2].duration_ms is not None  # measured from /start
    beat.refresh_from_db()
    assert beat.state == "down"


def test_fast_path_keeps_the_rate_limit(beat):
    env = subprocess_env(DATABASE_URL=shared_database_url(), RATELIMIT_PING="3/m")
    with gunicorn_server(env) as base:
        statuses = [http_get(f"{base}/ping/{beat.ping_key}")[0] for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert Ping.objects.filter(monitor=beat).count() == 3


def test_a_broken_connection_costs_no_ping(beat):
    """PostgreSQL drops the worker's connection between pings: the next ping still lands."""
    from django.db import connection

    env = subprocess_env(DATABASE_URL=shared_database_url(), RATELIMIT_PING="0")
    with gunicorn_server(env) as base:
        url = f"{base}/ping/{beat.ping_key}"
        assert http_get(url)[0] == 200
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        assert http_get(url) == (200, b"OK\n")
    assert Ping.objects.filter(monitor=beat).count() == 2
