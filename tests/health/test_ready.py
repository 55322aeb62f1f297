import json

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from tests.conftest import (
    closed_port,
    gunicorn_server,
    http_get,
    shared_database_url,
    subprocess_env,
)

pytestmark = pytest.mark.django_db


def test_ready_when_database_cache_and_migrations_are_fine(client):
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["components"]) == {"database", "migrations", "cache"}


def test_unapplied_migration_makes_portal_unready(client):
    recorder = MigrationRecorder.Migration.objects
    leaf = max(
        name for app, name in MigrationLoader(connection).graph.leaf_nodes() if app == "health"
    )
    row = recorder.get(app="health", name=leaf)
    row.delete()
    try:
        response = client.get("/health/ready")
        health = client.get("/health")
    finally:
        recorder.create(app=row.app, name=row.name, applied=row.applied)
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["migrations"]
    assert f"health.{leaf}" in body["components"]["migrations"]["error"]
    assert health.status_code == 503
    assert health.json()["status"] == "fail"


@pytest.mark.django_db(transaction=True)
def test_database_unreachable_is_unready_but_live():
    env = subprocess_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/portal",
        DB_POOL_TIMEOUT="2",
        HEALTH_CACHE_SECONDS="0",
    )
    with gunicorn_server(env) as base:
        live_status, _ = http_get(f"{base}/health/live")
        ready_status, ready_body = http_get(f"{base}/health/ready", timeout=15)
        health_status, health_body = http_get(f"{base}/health", timeout=15)
    assert live_status == 200
    assert ready_status == 503
    ready = json.loads(ready_body)
    assert "database" in ready["failing"]
    assert ready["components"]["database"]["ok"] is False
    assert health_status == 503
    assert json.loads(health_body)["status"] == "fail"


@pytest.mark.django_db(transaction=True)
def test_gunicorn_on_the_real_test_database_is_ready():
    env = subprocess_env(DATABASE_URL=shared_database_url(), HEALTH_CACHE_SECONDS="0")
    with gunicorn_server(env) as base:
        status, body = http_get(f"{base}/health/ready")
    assert status == 200, body
