"""The monthly availability report: page, CSV, the email and its beat schedule."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from apps.backups.models import BackupPolicy, BackupRun, RestoreCheck
from apps.dashboards.availability import build, email_report, previous_month
from apps.dashboards.tasks import email_availability_report
from apps.incidents.models import Incident

from .conftest import make_service, outage

pytestmark = pytest.mark.django_db

OCT = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.fixture
def october():  # noqa: ANN201
    """Shop: down 3 h 6 min in October (one incident), 2 backups, 1 passed restore check."""
    shop, monitor = make_service("Shop", created=OCT - timedelta(days=30))
    make_service("Blog", created=OCT - timedelta(days=30))
    outage(monitor, OCT + timedelta(days=3), OCT + timedelta(days=3, hours=3, minutes=6))
    incident = Incident.objects.create(
        title="Shop down",
        opened_at=OCT + timedelta(days=3),
        status="resolved",
        resolved_at=OCT + timedelta(days=3, hours=3),
    )
    incident.services.add(shop)
    policy = BackupPolicy.objects.create(
        name="shop db", service=shop, host="h", dbname="d", user="u"
    )
    for day, status in ((1, "succeeded"), (2, "failed"), (3, "succeeded")):
        BackupRun.objects.create(
            policy=policy, status=status, trigger="command", finished_at=OCT + timedelta(days=day)
        )
    RestoreCheck.objects.create(
        policy=policy, status="passed", trigger="command", finished_at=OCT + timedelta(days=4)
    )
    return shop


def test_month_figures(october) -> None:  # noqa: ANN001
    report = build(2026, 10, now=datetime(2026, 11, 2, tzinfo=UTC))
    shop = next(r for r in report.services if r.service.name == "Shop")
    month = 31 * 86400
    assert shop.downtime_seconds == 3 * 3600 + 360
    assert shop.uptime == pytest.approx((month - 11160) / month)
    assert shop.slo_met is False  # 99.58 % < 99.9 %
    assert shop.mttr_minutes == 180
    assert (shop.backups_succeeded, shop.backups_failed) == (2, 1)
    assert (shop.checks_passed, shop.checks_failed) == (1, 0)
    blog = next(r for r in report.services if r.service.name == "Blog")
    assert blog.uptime == 1.0 and blog.slo_met is True and blog.incidents == []


def test_page_and_csv(october, viewer_client) -> None:  # noqa: ANN001
    page = viewer_client.get(reverse("dashboards:availability") + "?month=2026-10")
    html = page.content.decode()
    assert "Availability 2026-10" in html and "99.583 %" in html and "missed" in html
    response = viewer_client.get(reverse("dashboards:availability-csv") + "?month=2026-10")
    assert response["Content-Disposition"] == 'attachment; filename="availability-2026-10.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    shop = next(r for r in rows if r["slug"] == "shop")
    assert shop["slo_met"] == "no" and shop["mttr_minutes"] == "180.0"
    assert shop["downtime_minutes"] == "186.0" and shop["backups_failed"] == "1"


def test_bad_month_is_refused(viewer_client) -> None:  # noqa: ANN001
    response = viewer_client.get(reverse("dashboards:availability") + "?month=2026-13")
    assert response.status_code == 400 and b"no such month" in response.content
    with pytest.raises(CommandError, match="not a month"):
        call_command("availability_report", "--month", "last")


def test_email_goes_to_report_recipients_with_the_csv(october, settings) -> None:  # noqa: ANN001
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.REPORT_RECIPIENTS = ["cto@example.com", "ops@example.com"]
    assert previous_month(datetime(2026, 11, 1, 6, tzinfo=UTC)) == (2026, 10)
    assert email_report(now=datetime(2026, 11, 1, 6, tzinfo=UTC)) == 1
    (message,) = mail.outbox
    assert message.to == ["cto@example.com", "ops@example.com"]
    assert message.subject == "Availability report 2026-10"
    assert "Shop: uptime 99.583 % (SLO 99.900 %: MISSED)" in message.body
    name, content, mimetype = message.attachments[0]
    assert name == "availability-2026-10.csv" and "shop" in content


def test_no_recipients_sends_nothing(october, settings) -> None:  # noqa: ANN001
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.REPORT_RECIPIENTS = []
    assert email_availability_report() == 0
    assert mail.outbox == []


def test_beat_sends_it_on_the_first_at_six() -> None:
    task = PeriodicTask.objects.get(name="Monthly availability report")
    assert task.task == "apps.dashboards.tasks.email_availability_report"
    cron = task.crontab
    assert (cron.minute, cron.hour, cron.day_of_month, cron.month_of_year, cron.day_of_week) == (
        "0",
        "6",
        "1",
        "*",
        "*",
    )
    assert task.enabled
