"""The public status page shows public services only, and nothing internal about them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.incidents.intake import report_problem
from apps.incidents.lifecycle import add_update
from apps.incidents.models import Incident, MaintenanceWindow

from .conftest import make_service, outage

pytestmark = pytest.mark.django_db

SECRET_TARGET = "http://10.9.8.7:5432/internal-admin/health"


def test_private_services_targets_and_error_texts_never_appear(client) -> None:  # noqa: ANN001
    now = timezone.now()
    public, monitor = make_service("Storefront", public=True, target=SECRET_TARGET, state="down")
    private, _ = make_service("Billing Internal", public=False)
    outage(monitor, now - timedelta(days=3, hours=2), now - timedelta(days=3))
    # An automatic incident: its title names the monitor; its detail is the probe's error text.
    report_problem(
        "monitor:1",
        f"{monitor} is down",
        severity="SEV2",
        service_ids=[public.id, private.id],
        detail=f"ConnectError: connection refused by {SECRET_TARGET}",
        now=now,
    )
    manual = Incident.objects.create(title="Checkout is slow", opened_at=now)
    manual.services.add(public)
    add_update(manual, "We are adding capacity.", status="identified", now=now)
    window = MaintenanceWindow.objects.create(
        name="Database upgrade",
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=1),
    )
    window.services.add(public)

    html = client.get(reverse("dashboards:status")).content.decode()

    assert "Storefront" in html
    assert "Billing Internal" not in html
    assert "10.9.8.7" not in html and "internal-admin" not in html
    assert "ConnectError" not in html and "Storefront http" not in html
    assert "Service disruption: Storefront" in html
    assert "Checkout is slow" in html and "We are adding capacity." in html
    assert "Database upgrade" in html
    assert "Some services are down" in html
    # 90 bars, one of them (3 days ago) below the SLO, drawn hatched as well as coloured.
    assert html.count('class="bar bar-') == 90
    assert 'fill="url(#hatch-1)"' in html


def test_a_page_without_public_services_says_so(client) -> None:  # noqa: ANN001
    make_service("Hidden")
    html = client.get(reverse("dashboards:status")).content.decode()
    assert "No service is published on this page." in html
    assert "Hidden" not in html
