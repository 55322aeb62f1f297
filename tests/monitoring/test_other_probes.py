"""TCP, PostgreSQL and Redis probes against real listeners."""

import socket

import pytest
from django.db import connection

from apps.monitoring.probes import MonitorSpec, probe_many
from tests.conftest import closed_port, redis_server

pytestmark = pytest.mark.django_db


def probe(kind: str, target: str, timeout: float = 3):
    (out,) = probe_many([MonitorSpec(id=1, kind=kind, target=target, timeout_seconds=timeout)])
    return out


def test_tcp_connect():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert probe("tcp", f"127.0.0.1:{port}").ok
    out = probe("tcp", f"127.0.0.1:{closed_port()}")
    assert not out.ok and out.error == "cannot connect: Connection refused"
    assert "host:port" in probe("tcp", "no-port").error


def test_postgres_select_1_and_connection_count():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    s = connection.settings_dict
    out = probe("postgres", f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}")
    assert out.ok, out.error
    assert out.detail.endswith("connections")
    bad = probe("postgres", f"postgres://nobody@127.0.0.1:{closed_port()}/x")
    assert not bad.ok and bad.error


def test_redis_ping():
    with redis_server() as (port, _proc):
        assert probe("redis", f"redis://127.0.0.1:{port}/0").ok
    out = probe("redis", f"redis://127.0.0.1:{port}/0", timeout=1)
    assert not out.ok and out.error
