"""Default beat schedules (editable in the admin) and a BRIN index for time-range scans."""

from django.db import migrations

SCHEDULES = [
    # (name, task, every seconds)
    ("monitoring: dispatch due probes", "apps.monitoring.tasks.dispatch", 5),
    ("monitoring: roll up results", "apps.monitoring.tasks.roll_up", 300),
]


def create_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, seconds in SCHEDULES:
        every, _ = IntervalSchedule.objects.get_or_create(every=seconds, period="seconds")
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": task,
                "interval": every,
                "queue": "probes",
                # A tick nobody ran in time is useless later: the next one does the same.
                "expire_seconds": max(seconds * 2, 10),
            },
        )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _t, _s in SCHEDULES]).delete()


def brin(apps, schema_editor):
    # Retention and rollups scan results by time; BRIN costs a few kB for millions of rows.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS probe_result_time_brin "
            "ON monitoring_proberesult USING brin (checked_at)"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS ping_time_brin ON monitoring_ping USING brin (received_at)"
        )


def drop_brin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS probe_result_time_brin")
        schema_editor.execute("DROP INDEX IF EXISTS ping_time_brin")


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0002_monitor_hourlyrollup_dailyrollup_ping_proberesult_and_more"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [
        migrations.RunPython(create_schedules, remove_schedules),
        migrations.RunPython(brin, drop_brin),
    ]
