"""HTTP probes against a real threaded server on loopback."""

import json

import pytest

from apps.monitoring.probes import MonitorSpec, probe_many

pytestmark = pytest.mark.django_db


def probe(**kwargs):
    kwargs.setdefault("timeout_seconds", 2)
    (outcome,) = probe_many([MonitorSpec(id=1, kind="http", **kwargs)])
    return outcome


def test_status_latency_and_expected_status(target):
    out = probe(target=target.set("/ok", status=200, delay=0.05))
    assert out.ok and out.status_code == 200 and out.latency_ms >= 50 and out.error == ""
    out = probe(target=target.set("/boom", status=500))
    assert not out.ok and out.status_code == 500 and out.error == "status 500"
    out = probe(target=target.set("/teapot", status=418), expected_status=418)
    assert out.ok


def test_keyword_and_json_value(target):
    url = target.set("/h", body=json.dumps({"status": {"db": "ok"}, "n": [1, 2]}).encode())
    assert probe(target=url, keyword='"db"').ok
    assert "keyword 'nope'" in probe(target=url, keyword="nope").error
    assert probe(target=url, json_path="status.db", json_value="ok").ok
    assert probe(target=url, json_path="n.1", json_value="2").ok
    bad = probe(target=url, json_path="status.db", json_value="down")
    assert not bad.ok and "expected 'down'" in bad.error
    assert "no JSON value" in probe(target=url, json_path="x.y", json_value="1").error


def test_timeout_is_a_failure(target):
    out = probe(target=target.set("/slow", delay=1.5), timeout_seconds=0.3)
    assert not out.ok and out.error == "timed out after 0.3 s" and out.latency_ms is None


def test_body_read_is_capped(target, settings):
    settings.MONITORING_MAX_BODY_BYTES = 1000
    url = target.set("/big", body=b"a" * 5000 + b"NEEDLE")
    out = probe(target=url, keyword="NEEDLE")
    assert not out.ok and "first 1000 bytes" in out.error


def test_redirects_are_followed_and_rechecked(target):
    final = target.set("/final", body=b"landed")
    hop = target.set("/hop", status=302, headers={"Location": "/final"})
    assert probe(target=hop, keyword="landed").ok
    assert target.hits[-2:] == ["/hop", "/final"]
    sneaky = target.set(
        "/sneaky", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    out = probe(target=sneaky)
    assert not out.ok and "169.254.169.254 is refused" in out.error
    assert final


def test_headers_and_method_are_sent(target):
    url = target.set("/h", body=b"ok")
    assert probe(target=url, method="POST", headers={"X-Probe": "1"}).ok


def test_connection_refused(target):
    from tests.conftest import closed_port

    out = probe(target=f"http://127.0.0.1:{closed_port()}/")
    assert not out.ok and out.error.startswith("cannot connect")
