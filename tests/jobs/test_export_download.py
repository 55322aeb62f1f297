"""The download link serves the file only to its user, while they may see the data, in time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.jobs import links
from apps.jobs.exporting import export_to_file, file_path
from apps.jobs.models import Export
from tests.jobs.conftest import user_with

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def done_export(auditor):
    now = timezone.now()
    AuditEntry(action="secret.thing", actor_name="x").save()
    export = Export.objects.create(
        kind="audit_log",
        format="csv",
        since=now - timedelta(days=1),
        until=now + timedelta(minutes=1),
        requested_by=auditor,
    )
    export.file_name = f"export-{export.pk}-audit_log.csv"
    export_to_file(
        "audit_log", since=export.since, until=export.until, fmt="csv", path=file_path(export)
    )
    Export.objects.filter(pk=export.pk).update(status="done", file_name=export.file_name)
    export.refresh_from_db()
    return export


def test_its_user_downloads_and_the_download_is_audited(client, auditor, done_export):
    client.force_login(auditor)
    response = client.get(links.download_path(done_export, auditor))
    assert response.status_code == 200
    assert b"secret.thing" in b"".join(response.streaming_content)
    assert AuditEntry.objects.filter(action="export.download", actor=auditor).count() == 1


def test_anonymous_users_are_sent_to_log_in(client, auditor, done_export):
    response = client.get(links.download_path(done_export, auditor))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_another_user_even_an_allowed_one_is_refused(client, auditor, done_export):
    other = user_with("other-auditor", "audit.view_auditentry")
    client.force_login(other)
    response = client.get(links.download_path(done_export, auditor))
    assert response.status_code == 403 and b"secret" not in response.content


def test_a_user_who_lost_the_permission_is_refused(client, auditor, done_export):
    url = links.download_path(done_export, auditor)
    auditor.user_permissions.clear()
    client.force_login(auditor)
    assert client.get(url).status_code == 403


def test_expired_and_forged_links_are_refused(client, auditor, done_export, settings):
    url = links.download_path(done_export, auditor)
    client.force_login(auditor)
    settings.EXPORT_LINK_MAX_AGE = -1
    assert client.get(url).status_code == 410
    settings.EXPORT_LINK_MAX_AGE = 3600
    assert client.get(url[:-3] + "abc").status_code == 404
    assert client.get(url).status_code == 200
