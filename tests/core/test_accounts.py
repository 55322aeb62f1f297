"""Brute-force lockout keyed by username and address; sessions die with password or account."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def admin_user():
    return User.objects.create_superuser("boss", password=PASSWORD)


def _login(address: str, password: str):
    client = Client(REMOTE_ADDR=address)
    response = client.post("/admin/login/", {"username": "boss", "password": password})
    return client, response


def test_lockout_is_per_username_and_address(admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _, response = _login("198.51.100.20", "wrong")
        assert response.status_code == 200  # the form again, with an error
    _, locked = _login("198.51.100.20", "wrong")
    assert locked.status_code == 429
    _, locked = _login("198.51.100.20", PASSWORD)
    assert locked.status_code == 429
    assert b"Too many failed logins" in locked.content
    # The same account from another address still logs in: no remote lock-out of an admin.
    client, ok = _login("198.51.100.21", PASSWORD)
    assert ok.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_lockout_lifts_after_cool_off(admin_user, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=0)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login("198.51.100.30", "wrong")
    _, response = _login("198.51.100.30", PASSWORD)
    assert response.status_code == 302


def test_password_change_ends_other_sessions(admin_user):
    client, _ = _login("198.51.100.40", PASSWORD)
    assert client.get("/admin/").status_code == 200
    admin_user.set_password("another-long-password-42")
    admin_user.save()
    assert client.get("/admin/").status_code == 302


def test_disabled_account_loses_its_session(admin_user):
    client, _ = _login("198.51.100.41", PASSWORD)
    admin_user.is_active = False
    admin_user.save()
    assert client.get("/admin/").status_code == 302


def test_pages_carry_a_content_security_policy(client):
    response = client.get("/admin/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
