"""GET /api/v1/readiness: the same checklist for automation, behind the view permission."""

import pytest

from apps.api.models import ApiToken

from .conftest import make_user

pytestmark = pytest.mark.django_db


def _get(client, user):  # noqa: ANN001, ANN202
    _row, token = ApiToken.issue(user, "test")
    return client.get("/api/v1/readiness", headers={"Authorization": f"Bearer {token}"})


def test_viewer_reads_the_checklist(client) -> None:  # noqa: ANN001
    response = _get(client, make_user("v", role="viewer"))
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is False
    assert {"monitoring", "backups", "alert_channel"} <= set(body["failing"])
    assert [i["key"] for i in body["items"]][:3] == ["debug", "secret_key", "https"]


def test_without_the_permission_it_is_403(client) -> None:  # noqa: ANN001
    response = _get(client, make_user("nobody", role=None))
    assert response.status_code == 403
    assert "dashboards.view_operations" in response.json()["error"]
