"""Redis stopped and started again under a running portal (a private redis-server)."""

import json

import pytest

from tests.conftest import (
    gunicorn_server,
    http_get,
    redis_server,
    shared_database_url,
    start_redis,
    stop_process,
    subprocess_env,
    wait_until,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


def _get_json(url: str) -> tuple[int, dict]:
    status, body = http_get(url, timeout=10)
    return status, json.loads(body)


def test_redis_outage_is_named_and_recovers():
    with redis_server() as (port, proc):
        url = f"redis://127.0.0.1:{port}/0"
        env = subprocess_env(
            DATABASE_URL=shared_database_url(), REDIS_URL=url, HEALTH_CACHE_SECONDS="0"
        )
        with gunicorn_server(env) as base:
            status, before = _get_json(f"{base}/health")
            assert before["components"]["cache"]["ok"] is True
            assert before["components"]["broker"]["ok"] is True
            assert before["components"]["broker"]["transport"] == "redis"

            stop_process(proc)
            status, during = _get_json(f"{base}/health")
            assert during["components"]["cache"]["ok"] is False
            assert during["components"]["broker"]["ok"] is False
            assert {"cache", "broker"} <= set(during["failing"])
            assert during["components"]["database"]["ok"] is True
            ready_status, ready = _get_json(f"{base}/health/ready")
            assert ready_status == 503
            assert ready["failing"] == ["cache"]
            live_status, _ = http_get(f"{base}/health/live")
            assert live_status == 200

            restarted = start_redis(port)
            try:
                wait_until(
                    lambda: _get_json(f"{base}/health/ready")[0] == 200,
                    timeout=20,
                    what="readiness after Redis came back",
                )
                _, after = _get_json(f"{base}/health")
                assert after["components"]["cache"]["ok"] is True
                assert after["components"]["broker"]["ok"] is True
            finally:
                stop_process(restarted)
