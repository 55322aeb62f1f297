"""The operations page reads the portal's own PostgreSQL, host and Celery state."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.dashboards.operations import slow_statements
from apps.jobs.models import JobRun

pytestmark = pytest.mark.django_db


def test_database_host_celery_and_jobs(viewer_client) -> None:  # noqa: ANN001
    now = timezone.now()
    JobRun.objects.create(
        kind="retention",
        lock_key="retention",
        trigger="beat",
        status="failed",
        error="disk full while deleting",
        started_at=now - timedelta(minutes=5),
        heartbeat_at=now,
        finished_at=now,
    )
    html = viewer_client.get(reverse("dashboards:operations")).content.decode()
    assert f"Portal database ({connection.vendor})" in html
    if connection.vendor == "postgresql":
        assert "of max_connections" in html and "Cache hit ratio" in html
        assert "monitoring_service" in html  # among the largest tables
    assert "Memory:" in html and "Disk:" in html and "CPU:" in html
    assert "Queue depths:" in html and "probes" in html
    assert "disk full while deleting" in html  # recent failures
    assert "retention #" in html  # recent job runs


def test_statements_without_the_extension_say_how_to_get_them() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")
        installed = cursor.fetchone() is not None
    rows, note = slow_statements()
    if installed:
        assert rows is not None or "cannot be read" in note
    else:
        assert rows is None and "CREATE EXTENSION pg_stat_statements" in note
