"""Real headless Chromium against the live server: log in, open every page, click the refresh
and the chart periods; screenshots go to test-artifacts/."""

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.incidents.models import Incident

from .conftest import latency_hours, make_service, make_user, outage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboards"
PASSWORD = "a long test password 8"


@pytest.fixture
def page():  # noqa: ANN201
    if not shutil.which(CHROMIUM):
        pytest.skip("chromium is not installed (scripts/ensure-services.sh installs it)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        errors: list[str] = []
        # CSP violations, script errors and failed requests land here; pages must have none.
        # (Chromium asks for /favicon.ico by itself; the portal has none.)
        tab.on(
            "console",
            lambda m: (
                m.type == "error"
                and not m.text.startswith("Failed to load resource")
                and errors.append(m.text)
            ),
        )
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on(
            "response",
            lambda r: (
                r.status >= 400
                and not r.url.endswith("/favicon.ico")
                and errors.append(f"{r.status} {r.url}")
            ),
        )
        tab.errors = errors
        yield tab
        browser.close()


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
