"""Beat schedule of the monthly availability report: 06:00 UTC on the 1st (edit it in the admin)."""

import json

from django.db import migrations
from django.utils import timezone

NAME = "Monthly availability report"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="6",
        day_of_week="*",
        day_of_month="1",
        month_of_year="*",
        timezone="UTC",
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "apps.dashboards.tasks.email_availability_report",
            "crontab": crontab,
            "kwargs": json.dumps({}),
            "queue": "notifications",
            # A report for last month is still worth sending a day late, not a week late.
            "expire_seconds": 86400,
            "description": "Emails last month's availability report to REPORT_RECIPIENTS.",
        },
    )
    # Rows written here bypass PeriodicTask.save(): tell beat that schedules changed.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
