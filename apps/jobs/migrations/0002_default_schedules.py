"""Default beat schedules for maintenance and retention (edit them in the admin)."""

import json

from django.db import migrations

SCHEDULES = [
    # name, task, minute, hour
    ("Maintenance (daily)", "apps.jobs.tasks.maintenance_run", "30", "3"),
    ("Retention (daily)", "apps.jobs.tasks.retention_run", "0", "4"),
]


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, minute, hour in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="UTC",
        )
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": task,
                "crontab": crontab,
                "kwargs": json.dumps({"trigger": "beat"}),
                "queue": "maintenance",
                # A backlog after an outage must not run yesterday's job late.
                "expire_seconds": 3600,
                "description": "Created by apps.jobs; edit the time here.",
            },
        )
    # Bulk edits bypass the model's save(): tell beat that schedules changed.
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
