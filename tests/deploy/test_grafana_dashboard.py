"""deploy/grafana/portal-dashboard.json: valid, and every metric it charts is really exported."""

import json
import re

import pytest

from tests.conftest import ROOT, gunicorn_server, http_get, shared_database_url, subprocess_env
from tests.deploy.conftest import DEPLOY

DASHBOARD = DEPLOY / "grafana" / "portal-dashboard.json"
METRIC = re.compile(r"\b((?:django|portal)_[a-z0-9_]+)")
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")


def dashboard() -> dict:
    return json.loads(DASHBOARD.read_text())


def charted_metrics() -> set[str]:
    exprs = [t["expr"] for p in dashboard()["panels"] for t in p["targets"]]
    exprs += [v["definition"] for v in dashboard()["templating"]["list"] if "definition" in v]
    return {m for e in exprs for m in METRIC.findall(e)}


def test_dashboard_is_importable():
    board = dashboard()
    assert board["title"] and board["uid"] and board["schemaVersion"] >= 36
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in board["panels"]:
        assert {"x", "y", "w", "h"} <= set(panel["gridPos"])
        assert panel["targets"] and all(t["expr"] for t in panel["targets"])


def test_portal_gauges_charted_are_defined_in_the_code():
    source = "\n".join(p.read_text() for p in (ROOT / "apps").rglob("*.py"))
    portal = {m for m in charted_metrics() if m.startswith("portal_")}
    assert portal >= {"portal_celery_workers_alive", "portal_queue_depth"}
    assert sorted(m for m in portal if f'"{m}"' not in source) == []


@pytest.mark.django_db(transaction=True)
def test_django_metrics_charted_are_in_a_real_scrape(tmp_path):
    env = subprocess_env(DATABASE_URL=shared_database_url(), PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    with gunicorn_server(env, workers=2) as base:
        for path in ("/health", "/health/ready", "/admin/login/", "/no-such-page"):
            http_get(base + path)
        status, body = http_get(base + "/metrics")
    assert status == 200
    exported = set(re.findall(r"^([a-z_][a-z0-9_]*)", body.decode(), re.M))
    django = {m for m in charted_metrics() if m.startswith("django_")}
    assert len(django) >= 5
    missing = sorted(
        m for m in django if m not in exported and not m.endswith(HISTOGRAM_SUFFIXES[1:])
    )
    assert missing == []
