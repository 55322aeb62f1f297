import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_release_is_idempotent(capsys, settings):
    settings.PORTAL_ADMIN_PASSWORD = "a-long-release-password"
    call_command("release")
    first = capsys.readouterr().out
    assert "Database migrated." in first
    assert "Created admin account 'admin'" in first
    call_command("release")
    assert "An admin account exists already" in capsys.readouterr().out
    assert User.objects.filter(is_superuser=True).count() == 1
