"""Default resource alert rules (from the seeds' runbooks) and the periodic tasks."""

from datetime import timedelta

from django.db import migrations

RULES = [
    # key, metric, threshold %, for, severity
    ("cpu", "cpu", 80.0, timedelta(minutes=5), "SEV2"),
    ("memory", "memory", 85.0, timedelta(minutes=2), "SEV2"),
    ("db_connections", "db_connections", 80.0, timedelta(0), "SEV2"),
    ("disk", "disk", 90.0, timedelta(0), "SEV2"),
]

TASKS = [
    # name, task, every (seconds)
    ("incidents: evaluate resource rules", "apps.incidents.tasks.evaluate_resource_rules", 30),
    ("incidents: escalate unacknowledged", "apps.incidents.tasks.escalate", 60),
]


def create(apps, schema_editor):
    ResourceRule = apps.get_model("incidents", "ResourceRule")
    for key, metric, threshold, duration, severity in RULES:
        ResourceRule.objects.get_or_create(
            key=key,
            defaults={
                "metric": metric,
                "threshold": threshold,
                "for_duration": duration,
                "severity": severity,
                "path": "/" if metric == "disk" else "",
            },
        )
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, seconds in TASKS:
        every, _ = IntervalSchedule.objects.get_or_create(every=seconds, period="seconds")
        # A run that waited longer than its own period is stale: the next one is due anyway.
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": task,
                "interval": every,
                "expire_seconds": seconds,
                "queue": "notifications",
            },
        )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[name for name, _, _ in TASKS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_initial"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [migrations.RunPython(create, remove)]
