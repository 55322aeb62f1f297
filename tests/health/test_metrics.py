import re

import pytest

from tests.conftest import gunicorn_server, http_get, shared_database_url, subprocess_env


@pytest.mark.django_db
def test_metrics_refused_outside_allowed_networks(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics")
    assert response.status_code == 403
    assert "METRICS_ALLOWED_NETWORKS" in response.json()["error"]


@pytest.mark.django_db
def test_metrics_with_token(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = []
    settings.METRICS_TOKEN = "s3cret-token-value"
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token-value")
    assert response.status_code == 200
    text = response.content.decode()
    assert "portal_celery_workers_alive 0.0" in text
    assert 'portal_queue_depth{queue="probes"}' in text


@pytest.mark.django_db(transaction=True)
def test_request_counter_is_exact_across_three_gunicorn_workers(tmp_path):
    env = subprocess_env(
        DATABASE_URL=shared_database_url(), PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prom")
    )
    requests = 90
    with gunicorn_server(env, workers=3) as base:
        for _ in range(requests):
            assert http_get(f"{base}/health/ready")[0] == 200
        status, body = http_get(f"{base}/metrics")
        pids = set(re.findall(rb"pid=\"(\d+)\"", body))
    assert status == 200
    text = body.decode()
    pattern = re.compile(
        r"^django_http_requests_total_by_view_transport_method_total"
        r"\{(?P<labels>[^}]*)\} (?P<v>\S+)$",
        re.M,
    )
    counted = sum(
        float(m["v"]) for m in pattern.finditer(text) if 'view="health-ready"' in m["labels"]
    )
    assert counted == requests
    assert not pids, "multiprocess output must be merged, not per pid"
    # More than one worker really served: every worker left its own file behind.
    files = list((tmp_path / "prom").glob("counter_*.db"))
    assert len(files) >= 2
