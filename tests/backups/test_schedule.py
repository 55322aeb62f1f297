"""Saving a policy creates and updates its django-celery-beat schedules; deleting removes them."""

import pytest
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from apps.audit.models import AuditEntry
from apps.backups.models import BackupPolicy

pytestmark = pytest.mark.django_db


def test_policy_owns_its_periodic_tasks():
    policy = BackupPolicy.objects.create(name="p", host="h", dbname="d", user="u")
    backup_task = PeriodicTask.objects.get(name=f"backup:policy:{policy.pk}")
    check_task = PeriodicTask.objects.get(name=f"restore-check:policy:{policy.pk}")
    assert backup_task.task == "apps.backups.tasks.scheduled_backup"
    assert backup_task.args == f"[{policy.pk}]" and backup_task.queue == "backups"
    assert str(backup_task.crontab.minute) == "0" and str(backup_task.crontab.hour) == "2"
    assert str(check_task.crontab.day_of_week) == "0"  # weekly by default

    policy.schedule = "30 3 * * 1-5"
    policy.schedule_timezone = "Europe/Berlin"
    policy.enabled = False
    policy.save()
    backup_task.refresh_from_db()
    assert (backup_task.crontab.minute, backup_task.crontab.hour) == ("30", "3")
    assert backup_task.crontab.day_of_week == "1-5"
    assert str(backup_task.crontab.timezone) == "Europe/Berlin"
    assert backup_task.enabled is False

    policy.delete()
    assert not PeriodicTask.objects.filter(name__contains=f"policy:{policy.pk}").exists()


def test_freshness_task_exists_from_the_migration():
    task = PeriodicTask.objects.get(task="apps.backups.tasks.check_freshness")
    assert task.interval.every == 5


def test_edits_in_the_beat_admin_flow_back_to_the_policy(admin_client):
    policy = BackupPolicy.objects.create(name="p", host="h", dbname="d", user="u")
    task = PeriodicTask.objects.get(name=f"backup:policy:{policy.pk}")
    # Another crontab for the task (the PeriodicTask form's crontab choice), and disabled.
    task.crontab = CrontabSchedule.objects.create(minute="15", hour="1", timezone="Europe/Paris")
    task.enabled = False
    task.save()
    policy.refresh_from_db()
    assert (policy.schedule, policy.schedule_timezone) == ("15 1 * * *", "Europe/Paris")
    assert policy.enabled is False

    # The crontab row itself edited in django-celery-beat's admin.
    response = admin_client.post(
        f"/admin/django_celery_beat/crontabschedule/{task.crontab_id}/change/",
        {
            "minute": "45",
            "hour": "4",
            "day_of_month": "*",
            "month_of_year": "*",
            "day_of_week": "1-5",
            "timezone": "Europe/Paris",
            # the page's inline of tasks using this crontab, left as it is
            "periodictask_set-TOTAL_FORMS": "0",
            "periodictask_set-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["errors"]
    policy.refresh_from_db()
    assert policy.schedule == "45 4 * * 1-5"
    # The audit log records the edit (its snapshot holds a ZoneInfo, written as text).
    entry = AuditEntry.objects.get(target_type="django_celery_beat.crontabschedule")
    assert entry.detail["fields"] == ["day_of_week", "hour", "minute"]

    # Saving the policy keeps what was edited there instead of reverting it.
    policy.max_age_hours = 30
    policy.save()
    task.refresh_from_db()
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("45", "4", "1-5")


def test_an_interval_on_a_managed_task_is_not_adopted():
    policy = BackupPolicy.objects.create(name="p", host="h", dbname="d", user="u")
    task = PeriodicTask.objects.get(name=f"restore-check:policy:{policy.pk}")
    task.crontab = None
    task.interval = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    task.save()
    policy.refresh_from_db()
    assert policy.restore_schedule == "0 4 * * 0"
