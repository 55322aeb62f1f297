"""Saving a policy creates and updates its django-celery-beat schedules; deleting removes them."""

import pytest
from django_celery_beat.models import PeriodicTask

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
