"""`/api/v1/services`: CRUD, filters, pagination, permissions, bad input."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.monitoring.models import Service, Tag
from tests.monitoring.conftest import bearer, token_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/services"


@pytest.fixture
def admin_token():
    return token_for(superuser=True)


def post(client, token, body, url=URL):
    return client.post(url, body, content_type="application/json", **bearer(token))


def test_missing_and_wrong_tokens_are_401(client):
    assert client.get(URL).status_code == 401
    assert client.get(URL, **bearer("opt_wrong")).status_code == 401
    assert client.post(URL, {}, content_type="application/json").status_code == 401


def test_permissions_are_checked(client):
    viewer = token_for("view_service")
    assert client.get(URL, **bearer(viewer)).status_code == 200
    response = post(client, viewer, {"name": "A", "slug": "a"})
    assert response.status_code == 403 and "monitoring.add_service" in response.json()["error"]
    assert client.delete(f"{URL}/x", **bearer(token_for())).status_code == 403


def test_create_read_update_delete(client, admin_token):
    Service.objects.create(name="Database", slug="db")
    response = post(client, admin_token, {
        "name": "Shop API", "slug": "shop-api", "environment": "staging", "tags": ["payments"],
        "depends_on": ["db"], "links": [{"title": "repo", "url": "https://git.example/shop"}],
    })  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "shop-api" and body["state"] == "pending"
    assert body["tags"] == ["payments"] and body["depends_on"] == ["db"]
    assert body["uptime"] == {"24h": None, "30d": None}
    got = client.get(f"{URL}/shop-api", **bearer(admin_token)).json()
    assert got["id"] == body["id"] and got["environment"] == "staging"
    assert client.get(f"{URL}/{body['id']}", **bearer(admin_token)).json()["slug"] == "shop-api"
    patched = client.patch(
        f"{URL}/shop-api", {"owner": "team-a", "depends_on": []},
        content_type="application/json", **bearer(admin_token),
    ).json()  # fmt: skip
    assert patched["owner"] == "team-a" and patched["depends_on"] == []
    assert patched["tags"] == ["payments"]
    assert client.delete(f"{URL}/shop-api", **bearer(admin_token)).status_code == 204
    assert client.get(f"{URL}/shop-api", **bearer(admin_token)).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slug": "x"}, "name"),
        ({"name": "X", "slug": "no spaces"}, "slug"),
        ({"name": "X", "slug": "x", "environment": "moon"}, "environment"),
        ({"name": "X", "slug": "x", "slo_target": 101}, "slo_target"),
        ({"name": "X", "slug": "x", "depends_on": ["ghost"]}, "depends_on"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(client, admin_token, body, field):
    response = post(client, admin_token, body)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert Service.objects.count() == 0 and Tag.objects.count() == 0


def test_duplicate_slug_is_409(client, admin_token):
    Service.objects.create(name="A", slug="a")
    response = post(client, admin_token, {"name": "B", "slug": "a"})
    assert response.status_code == 409 and response.json()["fields"] == {"slug": "taken"}
    assert Service.objects.count() == 1


def test_filters_pagination_and_query_count(client, admin_token):
    tag = Tag.objects.create(name="edge")
    for i in range(7):
        s = Service.objects.create(
            name=f"svc{i}", slug=f"svc{i}", environment="staging" if i % 2 else "production"
        )
        if i < 3:
            s.tags.add(tag)
    page = client.get(f"{URL}?limit=2&offset=2", **bearer(admin_token)).json()
    assert page["count"] == 7 and [s["slug"] for s in page["items"]] == ["svc2", "svc3"]
    assert client.get(f"{URL}?environment=staging", **bearer(admin_token)).json()["count"] == 3
    assert client.get(f"{URL}?tag=edge", **bearer(admin_token)).json()["count"] == 3
    assert client.get(f"{URL}?q=svc6", **bearer(admin_token)).json()["count"] == 1
    assert client.get(f"{URL}?limit=501", **bearer(admin_token)).status_code == 400
    with CaptureQueriesContext(connection) as few:
        client.get(f"{URL}?limit=2", **bearer(admin_token))
    with CaptureQueriesContext(connection) as many:
        client.get(f"{URL}?limit=7", **bearer(admin_token))
    assert len(few) == len(many)


def test_deleting_a_service_still_in_use_is_409(client, admin_token):
    from apps.backups.models import BackupPolicy

    service = Service.objects.create(name="DB", slug="db")
    BackupPolicy.objects.create(name="nightly", service=service, host="127.0.0.1", dbname="x")
    response = client.delete(f"{URL}/db", **bearer(admin_token))
    assert response.status_code == 409 and "backup policies" in response.json()["error"]
    assert Service.objects.filter(slug="db").exists()
