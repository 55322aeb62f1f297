"""Real headless Chromium against the live server: log in, open every page, click the refresh
and the chart periods; screenshots go to test-artifacts/."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.incidents.models import Incident
from tests.conftest import ARTIFACTS_ROOT

from .conftest import latency_hours, make_service, make_user, outage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = ARTIFACTS_ROOT / "dashboards"
PASSWORD = "a long test password 8"


@pytest.fixture
def data():  # noqa: ANN201
    now = timezone.now()
    api, monitor = make_service("Checkout API", public=True)
    make_service("Internal Billing", public=False, state="down")
    hour = now.replace(minute=0, second=0, microsecond=0)
    latency_hours(monitor, [hour - timedelta(hours=h) for h in range(1, 30)], 90)
    outage(monitor, now - timedelta(days=1, hours=8), now - timedelta(days=1))
    incident = Incident.objects.create(title="Payments failing", opened_at=now)
    incident.services.add(api)
    make_user("viewer", role="viewer")
    return api


def _login(page, base: str) -> None:  # noqa: ANN001
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", "viewer")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def test_every_page_in_a_real_browser(data, live_server, page) -> None:  # noqa: ANN001
    base = live_server.url
    _login(page, base)
    page.click("#dashboards-module a:has-text('Overview')")
    page.wait_for_selector("#services")
    assert "Checkout API" in page.inner_text("#services")
    assert "✖ Down" in page.inner_text("#services")  # state as icon and text, not only colour
    page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)

    # Refresh: htmx swaps the live region in place; the page itself is not reloaded.
    page.evaluate("window.__marker = 1")
    before = page.inner_text(".updated")
    page.wait_for_timeout(1100)
    page.click(".refresh-button")
    expect(page.locator(".updated")).not_to_have_text(before)
    assert page.evaluate("window.__marker") == 1

    page.click("#services a:has-text('Checkout API')")
    page.wait_for_selector("#latency-chart")
    assert page.locator("#latency-chart circle.dot").count() >= 24
    page.screenshot(path=str(ARTIFACTS / "service-24h.png"), full_page=True)
    page.evaluate("window.__marker = 2")
    page.click("a.period-link:has-text('7d')")
    page.wait_for_selector("strong.period-current:has-text('7d')")
    assert page.url.endswith("?period=7d")
    assert page.evaluate("window.__marker") == 2  # swapped in place, no reload
    assert page.locator("svg.bars rect.bar").count() == 30
    page.screenshot(path=str(ARTIFACTS / "service-7d.png"), full_page=True)

    page.click(".dash-nav a:has-text('Operations')")
    page.wait_for_selector("#database")
    assert "Host" in page.inner_text("#host")
    page.screenshot(path=str(ARTIFACTS / "operations.png"), full_page=True)

    page.click(".dash-nav a:has-text('Readiness')")
    page.wait_for_selector("#readiness")
    assert "FAIL" in page.inner_text("#item-alert_channel")
    page.screenshot(path=str(ARTIFACTS / "readiness.png"), full_page=True)

    page.click(".dash-nav a:has-text('Availability report')")
    page.wait_for_selector("#availability")
    assert "Checkout API" in page.inner_text("#availability")
    page.screenshot(path=str(ARTIFACTS / "availability.png"), full_page=True)
    assert page.errors == []


def test_public_status_page_in_a_real_browser(data, live_server, page) -> None:  # noqa: ANN001
    page.goto(f"{live_server.url}/status/")
    page.wait_for_selector(".status-service")
    text = page.inner_text("body")
    assert "Checkout API" in text and "Internal Billing" not in text
    assert "Payments failing" in text and "Incident in progress" in text
    assert page.locator(".status-service svg.bars rect.bar").count() == 90
    page.screenshot(path=str(ARTIFACTS / "status.png"), full_page=True)
    assert page.errors == []
