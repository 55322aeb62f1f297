"""Many-to-many edits made in the admin (a service's tags) are audited too."""

import pytest
from django.contrib.auth.models import User

from apps.audit.middleware import admin_request
from apps.audit.models import AuditEntry
from apps.monitoring.models import Service, Tag

pytestmark = pytest.mark.django_db


def test_tags_added_and_removed_in_an_admin_request(rf):
    user = User.objects.create_superuser("boss", password="a-long-test-password-1")
    service = Service.objects.create(name="API", slug="api")
    tag = Tag.objects.create(name="edge")
    request = rf.post("/admin/monitoring/service/1/change/")
    request.user = user
    token = admin_request.set(request)
    try:
        service.tags.add(tag)
        service.tags.remove(tag)
    finally:
        admin_request.reset(token)
    entries = list(AuditEntry.objects.filter(action="admin.change").order_by("id"))
    assert [e.detail["m2m"] for e in entries] == ["add", "remove"]
    assert entries[0].detail == {"fields": ["tags"], "m2m": "add", "ids": [str(tag.pk)]}
    assert entries[0].actor == user and entry_target(entries[0]) == ("monitoring.service", "API")


def test_outside_the_admin_nothing_is_recorded():
    service = Service.objects.create(name="API", slug="api")
    service.tags.add(Tag.objects.create(name="edge"))
    assert not AuditEntry.objects.filter(action="admin.change").exists()


def entry_target(entry: AuditEntry) -> tuple[str, str]:
    return entry.target_type, entry.target_repr
