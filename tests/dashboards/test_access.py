"""Dashboards need staff status and a view permission; the status page needs nothing."""

import pytest
from django.urls import reverse

from .conftest import make_service, make_user

pytestmark = pytest.mark.django_db

PAGES = ["overview", "operations", "readiness", "availability", "availability-csv"]


@pytest.fixture
def service():  # noqa: ANN201
    return make_service("Shop")[0]


def _urls(service) -> list[str]:  # noqa: ANN001
    return [reverse(f"dashboards:{p}") for p in PAGES] + [
        reverse("dashboards:service", args=[service.slug])
    ]


def test_anonymous_is_sent_to_the_login(client, service) -> None:  # noqa: ANN001
    for url in _urls(service):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/admin/login/" in response["Location"]


def test_staff_without_a_role_is_refused(client, service) -> None:  # noqa: ANN001
    client.force_login(make_user("norole", role=None))
    for url in _urls(service):
        assert client.get(url).status_code == 403, url


def test_viewer_sees_every_page_and_the_admin_index_links_them(client, service) -> None:  # noqa: ANN001
    client.force_login(make_user("v", role="viewer"))
    for url in _urls(service):
        assert client.get(url).status_code == 200, url
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("dashboards:overview") in index
    assert reverse("dashboards:readiness") in index


def test_partials_come_without_the_admin_frame(viewer_client, service) -> None:  # noqa: ANN001
    html = viewer_client.get(reverse("dashboards:overview") + "?partial=1").content.decode()
    assert html.lstrip().startswith('<div id="live"')
    assert "Shop" in html and "<html" not in html


def test_pages_carry_no_inline_script(viewer_client, service) -> None:  # noqa: ANN001
    response = viewer_client.get(reverse("dashboards:service", args=[service.slug]))
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in html and "onclick" not in html
    assert "dashboards/htmx.min.js" in html


def test_the_status_page_needs_no_login(client) -> None:  # noqa: ANN001
    assert client.get(reverse("dashboards:status")).status_code == 200


def test_unknown_period_is_a_clear_400(viewer_client, service) -> None:  # noqa: ANN001
    response = viewer_client.get(reverse("dashboards:service", args=[service.slug]) + "?period=1y")
    assert response.status_code == 400
    assert b"use one of 24h, 7d, 30d" in response.content
