"""The periodic sweep that keeps every DOWN monitor covered by an open incident."""

from django.db import migrations

NAME = "incidents: reconcile down monitors"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "apps.incidents.tasks.reconcile_down_monitors",
            "interval": every,
            "expire_seconds": 60,
            "queue": "notifications",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_defaults")]

    operations = [migrations.RunPython(create, remove)]
