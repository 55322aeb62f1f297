"""Each readiness item is computed from the real state; the command exits 1 on a failure."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from apps.backups.models import BackupPolicy, BackupRun, RestoreCheck
from apps.dashboards.readiness import checklist, secret_key_problem
from apps.incidents.models import Channel
from apps.incidents.notify import deliver_once
from apps.monitoring.models import Service

from .conftest import make_service

pytestmark = pytest.mark.django_db

STRONG_KEY = "k3Jx9-vQ2mZ_p8Lr0tYwB4nH6sD1fG7cE5aU" * 2


@pytest.fixture
def production(settings):  # noqa: ANN001, ANN201
    settings.DEBUG = False
    settings.SECRET_KEY = STRONG_KEY
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PORTAL_ADMIN_PASSWORD = ""
    return settings


def _items() -> dict:
    return {item.key: item for item in checklist(now=timezone.now())}


def _make_everything_ready() -> None:
    now = timezone.now()
    User.objects.create_superuser("admin", password="a-Str0ng and private passphrase")
    make_service("Shop")
    policy = BackupPolicy.objects.create(name="portal", kind="portal")
    run = BackupRun.objects.create(
        policy=policy, status="succeeded", trigger="command", finished_at=now - timedelta(days=1)
    )
    RestoreCheck.objects.create(
        policy=policy, backup_run=run, status="passed", trigger="command", finished_at=now
    )
    channel = Channel.objects.create(name="ops mail", kind="email", target="ops@example.com")
    assert deliver_once(channel.pk, None, "test").ok


def test_secret_key_rules() -> None:
    assert "django-insecure-" in secret_key_problem("django-insecure-" + "x" * 60)
    assert "characters long" in secret_key_problem("short")
    assert "distinct" in secret_key_problem("ab" * 40)
    assert secret_key_problem(STRONG_KEY) == ""


def test_everything_ready_passes_and_the_command_exits_zero(production, capsys) -> None:  # noqa: ANN001
    _make_everything_ready()
    assert all(item.ok for item in _items().values()), [i.detail for i in _items().values()]
    call_command("readiness")
    assert "All 7 readiness items pass." in capsys.readouterr().out


def test_each_failure_is_found_with_a_fix_link(production, capsys) -> None:  # noqa: ANN001
    _make_everything_ready()
    production.DEBUG = True
    production.SECRET_KEY = "django-insecure-abc"
    production.SECURE_HSTS_SECONDS = 0
    User.objects.create_superuser("root", password="admin")
    Service.objects.create(name="Unwatched", slug="unwatched")
    RestoreCheck.objects.update(finished_at=timezone.now() - timedelta(days=8))
    items = _items()
    failing = {key for key, item in items.items() if not item.ok}
    assert failing == {"debug", "secret_key", "https", "admin_password", "backups", "monitoring"}
    assert "root" in items["admin_password"].detail
    assert items["admin_password"].fix_url.endswith("/password/")
    assert "Unwatched" in items["monitoring"].detail
    assert "no passed restore check in 7 days: portal" in items["backups"].detail
    with pytest.raises(CommandError, match="6 of 7 readiness items fail"):
        call_command("readiness")
    out = capsys.readouterr().out
    assert "[FAIL] DEBUG is off" in out and "fix:" in out


def test_nothing_configured_fails_backups_monitoring_and_alerts(production, viewer_client) -> None:  # noqa: ANN001
    items = _items()
    assert not items["backups"].ok and "No backup policy" in items["backups"].detail
    assert not items["monitoring"].ok
    assert not items["alert_channel"].ok
    html = viewer_client.get(reverse("dashboards:readiness"), secure=True).content.decode()
    assert "Not ready" in html and "FAIL" in html
    assert reverse("admin:backups_backuppolicy_add") in html


def test_a_failed_test_delivery_does_not_count(production) -> None:  # noqa: ANN001
    channel = Channel.objects.create(
        name="hook", kind="webhook", target="http://127.0.0.1:9/nothing", secret="s"
    )
    assert not deliver_once(channel.pk, None, "test").ok
    assert not _items()["alert_channel"].ok
