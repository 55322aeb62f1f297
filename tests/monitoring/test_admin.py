"""The admin: services with inline monitors, filters, search and the three actions."""

import pytest
from django.contrib.auth.models import User

from apps.monitoring.models import Monitor, ProbeResult, Service, Tag
from tests.monitoring.conftest import make_monitor

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("root", password="pw-unused-123456")
    client.force_login(user)
    return client


def test_changelist_filters_and_search(admin_client):
    tag = Tag.objects.create(name="edge")
    shop = Service.objects.create(name="Shop", slug="shop", environment="staging")
    shop.tags.add(tag)
    Service.objects.create(name="Blog", slug="blog")
    url = "/admin/monitoring/service/"
    assert b"Shop" in admin_client.get(url, {"environment": "staging"}).content
    assert b"Blog" not in admin_client.get(url, {"tags__id__exact": tag.id}).content
    assert b"Blog" not in admin_client.get(url, {"state": "pending", "q": "shop"}).content
    assert admin_client.get(f"/admin/monitoring/service/{shop.pk}/change/").status_code == 200
    assert admin_client.get("/admin/monitoring/monitor/", {"state": "down"}).status_code == 200


def test_actions_probe_pause_resume(admin_client, target):
    shop = Service.objects.create(name="Shop", slug="shop")
    m = make_monitor(shop, target=target.set("/x", status=200))
    url = "/admin/monitoring/service/"

    def act(action):
        return admin_client.post(
            url, {"action": action, "_selected_action": [shop.pk]}, follow=True
        )

    assert b"Probed 1 monitor(s): 1 passed" in act("probe_now").content
    assert ProbeResult.objects.filter(monitor=m).count() == 1
    assert b"Paused 1 monitor(s)" in act("pause").content
    assert Monitor.objects.get(pk=m.pk).state == "paused"
    assert b"Resumed 1 monitor(s)" in act("resume").content
    assert Monitor.objects.get(pk=m.pk).state == "pending"


def test_inline_monitor_is_validated(admin_client):
    data = {
        "name": "API", "slug": "api", "environment": "production", "slo_target": "99.9",
        "links": "[]",
        "monitors-TOTAL_FORMS": "1", "monitors-INITIAL_FORMS": "0",
        "monitors-0-kind": "http", "monitors-0-target": "file://localhost/etc/passwd",
        "monitors-0-interval_seconds": "60", "monitors-0-timeout_seconds": "5",
        "monitors-0-failures_before_down": "2", "monitors-0-successes_before_up": "1",
        "monitors-0-method": "GET", "monitors-0-headers": "{}",
        "monitors-0-period_seconds": "86400", "monitors-0-tz": "UTC", "monitors-0-grace_seconds": "3600",  # noqa: E501
    }  # fmt: skip
    response = admin_client.post("/admin/monitoring/service/add/", data)
    assert response.status_code == 200 and b"only http and https" in response.content
    assert Service.objects.count() == 0
    data["monitors-0-target"] = "https://api.example.test/health"
    response = admin_client.post("/admin/monitoring/service/add/", data)
    assert response.status_code == 302
    assert Monitor.objects.get().target == "https://api.example.test/health"
