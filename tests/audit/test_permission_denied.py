"""Permission failures, in the admin and the API, are written to the audit log."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from apps.api.models import ApiToken
from apps.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer() -> User:
    user = User.objects.create_user("watcher", password="pw-unused-123456", is_staff=True)
    user.groups.add(Group.objects.get(name="viewer"))
    return user


def test_admin_403_is_audited(viewer):
    client = Client()
    client.force_login(viewer)
    assert client.get("/admin/monitoring/service/add/").status_code == 403
    entry = AuditEntry.objects.get(action="auth.permission_denied")
    assert entry.actor == viewer
    assert entry.detail["path"] == "/admin/monitoring/service/add/"


def test_api_403_is_audited(client, viewer):
    _, clear = ApiToken.issue(viewer, "test")
    response = client.post(
        "/api/v1/services",
        {"name": "X", "slug": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {clear}",
    )
    assert response.status_code == 403
    entry = AuditEntry.objects.get(action="auth.permission_denied")
    assert entry.detail["method"] == "POST"
    assert entry.actor == viewer
