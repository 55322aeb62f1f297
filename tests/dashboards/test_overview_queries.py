"""The overview's query count does not grow with the number of services."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.backups.models import BackupPolicy, BackupRun
from apps.incidents.models import Incident

from .conftest import latency_hours, make_service, outage

pytestmark = pytest.mark.django_db


def _services(count: int, offset: int = 0) -> None:
    now = timezone.now()
    hours = [now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=h) for h in range(3)]
    for n in range(offset, offset + count):
        service, monitor = make_service(f"svc {n:03d}", created=now - timedelta(days=40))
        outage(monitor, now - timedelta(hours=5), now - timedelta(hours=4))
        latency_hours(monitor, hours, 120 + n)
        incident = Incident.objects.create(title=f"broken {n}", opened_at=now)
        incident.services.add(service)
        policy = BackupPolicy.objects.create(
            name=f"db {n}", service=service, host="127.0.0.1", dbname="x", user="x"
        )
        BackupRun.objects.create(
            policy=policy, status="succeeded", trigger="command", finished_at=now
        )


def _count(client, django_assert_max_num_queries, limit: int) -> str:  # noqa: ANN001
    with django_assert_max_num_queries(limit) as ctx:
        response = client.get(reverse("dashboards:overview"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_query_count_is_the_same_for_5_and_50_services(
    viewer_client, django_assert_max_num_queries
):  # noqa: ANN001
    _services(5)
    few, html = _count(viewer_client, django_assert_max_num_queries, 40)
    assert "svc 004" in html
    _services(45, offset=5)
    many, html = _count(viewer_client, django_assert_max_num_queries, few)
    assert many == few
    assert "svc 049" in html
    # 1 h down in the last 24 h: 23/24 up; p95 is the bucket bound of the latency written.
    assert "95.833 %" in html
    assert "Services (50)" in html
