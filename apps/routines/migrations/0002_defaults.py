"""Default checklists and runbooks from the teams' hand-written routines (edit them in the admin),
and the beat schedule that opens, ticks and reports checklist occurrences."""

from datetime import timedelta

from django.db import migrations

# The seeds' "Manutenção Recomendada": diariamente / semanalmente / mensalmente.
CHECKLISTS = [
    (
        "Daily routine",
        "daily",
        timedelta(hours=6),
        "Every day: look at the errors and make sure last night's backup exists.",
        [
            (
                "Check the error logs",
                "",
                "Skim the last day of error lines of every service "
                "(`docker compose logs api --tail 100`, or your log viewer) and open an incident "
                "for anything new.",
                "",
            ),
            (
                "Confirm the backup ran",
                "/admin/backups/backuprun/",
                "Ticked by the portal when a backup run succeeded today.",
                "backup_ran",
            ),
            (
                "No SEV1 incident left open",
                "/admin/incidents/incident/",
                "Ticked by the portal while no SEV1 incident is open.",
                "no_open_sev1",
            ),
        ],
    ),
    (
        "Weekly routine",
        "weekly",
        timedelta(days=1),
        "Every week: metrics, disk space and a tested restore.",
        [
            (
                "Review usage metrics",
                "/metrics",
                "Look at CPU, memory, latency and error "
                "rate against the alert thresholds (CPU > 80 % for 5 min, RAM > 85 %, p95 > 2 s, "
                "errors > 1 %).",
                "",
            ),
            (
                "Check disk space",
                "",
                "Ticked by the portal while disk use is below the threshold (`df -h` by hand).",
                "disk_below_threshold",
            ),
            (
                "Test a backup restore",
                "/admin/backups/restorecheck/",
                "Ticked by the portal when a restore check passed this week.",
                "restore_check_passed",
            ),
        ],
    ),
    (
        "Monthly routine",
        "monthly",
        timedelta(days=3),
        "Every month: images, users, old files and database housekeeping.",
        [
            (
                "Update container images",
                "",
                "`docker compose pull && docker compose up -d` "
                "after reading the release notes; record the deploy.",
                "",
            ),
            (
                "Review active users",
                "/admin/auth/user/",
                "Deactivate accounts nobody uses any more and check group membership.",
                "",
            ),
            (
                "Clean old files",
                "",
                "Remove uploads and exports older than 60 days "
                "(`find uploads/ -type f -mtime +60 -delete`).",
                "",
            ),
            (
                "VACUUM ANALYZE PostgreSQL",
                "/admin/jobs/jobrun/",
                "Check that the maintenance "
                "job ran `VACUUM ANALYZE` (or run it: `VACUUM ANALYZE;`).",
                "",
            ),
        ],
    ),
]

# The seeds' "Alertas e Incidentes" section, one runbook per situation.
RUNBOOKS = [
    (
        "Container keeps restarting",
        "container-restarting",
        "*restart*\nmonitor:*",
        """Look at why it exits, check the database it needs, then rebuild.

1. See the error: `docker compose logs api --tail 50`
2. Is the database healthy? `docker compose exec db pg_isready -U app`
3. Forced rebuild:

```sh
docker compose down
docker compose up -d --build --force-recreate
```
""",
    ),
    (
        "Database is slow",
        "database-slow",
        "resource:db*\n*database*",
        """Count connections by state, then let PostgreSQL tidy up.

```sh
docker compose exec db psql -U app app -c \\
  "SELECT count(*), state FROM pg_stat_activity GROUP BY state;"
docker compose exec db psql -U app app -c "VACUUM ANALYZE;"
```

Slowest statements: `SELECT query, calls, mean_exec_time FROM pg_stat_statements
ORDER BY mean_exec_time DESC LIMIT 10;`
""",
    ),
    (
        "Disk is full",
        "disk-full",
        "resource:disk*\n*disk*",
        """Find what grew, then free space safely.

1. `df -h` and `du -xh / | sort -h | tail -20`
2. Old Docker data: `docker system prune -a` (add `--volumes` only if no volume holds data)
3. Old uploads: `find uploads/ -type f -mtime +60 -delete`
4. Check that log rotation runs (`/etc/logrotate.d/`).
""",
    ),
    (
        "High latency",
        "high-latency",
        "*latency*\nresource:cpu*\nresource:memory*",
        """Check the workers and the database connections, then restart the API alone.

1. Workers alive: `docker compose exec api ps aux | grep gunicorn`
2. Connections: `docker compose exec db psql -U app app -c "SELECT count(*) FROM pg_stat_activity;"`
3. Restart only the API (no data lost): `docker compose restart api`
""",
    ),
]


def create(apps, schema_editor):
    Checklist = apps.get_model("routines", "Checklist")
    ChecklistItem = apps.get_model("routines", "ChecklistItem")
    Runbook = apps.get_model("routines", "Runbook")
    for name, recurrence, grace, description, items in CHECKLISTS:
        checklist, created = Checklist.objects.get_or_create(
            name=name,
            defaults={"recurrence": recurrence, "grace": grace, "description": description},
        )
        if created:
            ChecklistItem.objects.bulk_create(
                ChecklistItem(
                    checklist=checklist,
                    position=n,
                    text=text,
                    link=link,
                    instructions=how,
                    evidence=evidence,
                )
                for n, (text, link, how, evidence) in enumerate(items, start=1)
            )
    for title, slug, patterns, body in RUNBOOKS:
        Runbook.objects.get_or_create(
            slug=slug, defaults={"title": title, "cause_patterns": patterns, "body": body}
        )
    _schedule(apps)


def _schedule(apps):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Checklist routines (every 5 minutes)",
        defaults={
            "task": "apps.routines.tasks.run_routines",
            "interval": every,
            "queue": "maintenance",
            "expire_seconds": 240,
            "description": "Created by apps.routines: opens checklist occurrences, ticks "
            "items from evidence and reports overdue ones.",
        },
    )
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    apps.get_model("routines", "Checklist").objects.filter(
        name__in=[c[0] for c in CHECKLISTS]
    ).delete()
    apps.get_model("routines", "Runbook").objects.filter(slug__in=[r[1] for r in RUNBOOKS]).delete()
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task="apps.routines.tasks.run_routines"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("routines", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
