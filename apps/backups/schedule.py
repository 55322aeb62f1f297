"""Each policy's schedules as django-celery-beat rows: beat runs them, the admin shows them."""

import zoneinfo

from croniter import croniter
from django_celery_beat.models import CrontabSchedule, PeriodicTask, PeriodicTasks

# A backlog after an outage must not run a day-old backup on top of the next one.
EXPIRE_SECONDS = 3600


def parse_crontab(expression: str, tz: str = "UTC") -> dict[str, str]:
    """The five crontab fields by CrontabSchedule name; ValueError with a sentence if invalid."""
    fields = expression.split()
    if len(fields) != 5 or not croniter.is_valid(expression):
        raise ValueError(f"{expression!r} is not a five-field crontab like '0 2 * * *'")
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{tz!r} is not a known time zone") from None
    names = ["minute", "hour", "day_of_month", "month_of_year", "day_of_week"]
    return dict(zip(names, fields, strict=True))


def task_names(policy) -> dict[str, str]:  # noqa: ANN001
    return {
        "backup": f"backup:policy:{policy.pk}",
        "restore_check": f"restore-check:policy:{policy.pk}",
    }


def sync_periodic_tasks(policy) -> None:  # noqa: ANN001
    """Create or update the policy's backup and restore-check PeriodicTasks."""
    names = task_names(policy)
    pairs = [
        (names["backup"], "apps.backups.tasks.scheduled_backup", policy.schedule),
        (
            names["restore_check"],
            "apps.backups.tasks.scheduled_restore_check",
            policy.restore_schedule,
        ),
    ]
    for name, task, expression in pairs:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            **parse_crontab(expression, policy.schedule_timezone), timezone=policy.schedule_timezone
        )
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={
                "task": task,
                "crontab": crontab,
                "interval": None,
                "args": f"[{policy.pk}]",
                "queue": "backups",
                "enabled": policy.enabled,
                "expire_seconds": EXPIRE_SECONDS,
                "description": f"Managed by backup policy {policy.name!r}; edit the policy.",
            },
        )
    PeriodicTasks.update_changed()


def delete_periodic_tasks(policy) -> None:  # noqa: ANN001
    PeriodicTask.objects.filter(name__in=task_names(policy).values()).delete()
    PeriodicTasks.update_changed()
