"""The service page: latency chart per period, daily uptime bars, monitors, incidents,
maintenance, backups and deployments."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.incidents.models import Incident, MaintenanceWindow
from apps.monitoring.models import DailyRollup
from apps.monitoring.stats import bucket_index, pack_histogram
from apps.routines.deployments import record_deployment

from .conftest import latency_hours, make_service, outage

pytestmark = pytest.mark.django_db


def _url(slug: str, period: str = "24h") -> str:
    return reverse("dashboards:service", args=[slug]) + f"?period={period}"


def test_chart_bars_and_sections(viewer_client) -> None:  # noqa: ANN001
    now = timezone.now()
    service, monitor = make_service("Api")
    hour = now.replace(minute=0, second=0, microsecond=0)
    latency_hours(monitor, [hour - timedelta(hours=h) for h in range(1, 6)], 180)
    outage(monitor, now - timedelta(days=2, hours=6), now - timedelta(days=2))
    incident = Incident.objects.create(title="Api 500s", opened_at=now - timedelta(days=2, hours=6))
    incident.services.add(service)
    window = MaintenanceWindow.objects.create(
        name="Kernel patch", starts_at=now + timedelta(hours=2), ends_at=now + timedelta(hours=3)
    )
    window.services.add(service)
    record_deployment(service="api", version="1.4.2", started_at=now - timedelta(hours=1))

    html = viewer_client.get(_url("api")).content.decode()

    assert 'id="latency-chart"' in html
    assert html.count('class="dot"') == 5
    assert "p95 200 ms" in html  # 180 ms falls in the 200 ms bucket
    assert html.count('class="bar bar-') == 30
    assert "75.000 % up" in html  # the day with 6 h down
    assert "Days below the SLO" in html
    assert "Api http" in html and "Api 500s" in html and "Kernel patch" in html
    assert "Deployed 1.4.2 to production" in html


def test_thirty_days_reads_daily_rollups(viewer_client) -> None:  # noqa: ANN001
    now = timezone.now()
    _service, monitor = make_service("Db")
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    DailyRollup.objects.bulk_create(
        DailyRollup(
            monitor=monitor,
            period_start=day - timedelta(days=d),
            checks=1440,
            latency_histogram=pack_histogram({bucket_index(40): 1440}),
        )
        for d in range(1, 11)
    )
    html = viewer_client.get(_url("db", "30d")).content.decode()
    assert html.count('class="dot"') == 10 and "p95 50 ms" in html
    assert 'aria-current="true">30d<' in html
    # The 24 h view has no hourly rows: it says so instead of drawing an empty chart.
    assert "No latency recorded" in viewer_client.get(_url("db")).content.decode()


def test_unknown_service_is_404(viewer_client) -> None:  # noqa: ANN001
    assert viewer_client.get(_url("nope")).status_code == 404
