"""Each policy's schedules as django-celery-beat rows: beat runs them, the admin shows them.

The policy's crontab fields and its two PeriodicTasks stay in step both ways: saving a policy
writes the tasks, and editing a managed task (or its crontab) in django-celery-beat's admin
writes the change back to the policy (`adopt_beat_edits`), so neither silently undoes the other.
"""

import logging
import re
import zoneinfo

from croniter import croniter
from django_celery_beat.models import CrontabSchedule, PeriodicTask, PeriodicTasks

log = logging.getLogger(__name__)

# A backlog after an outage must not run a day-old backup on top of the next one.
EXPIRE_SECONDS = 3600
MANAGED = re.compile(r"^(backup|restore-check):policy:(\d+)$")


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


def crontab_expression(crontab: CrontabSchedule) -> str:
    fields = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
    return " ".join(str(getattr(crontab, name)) for name in fields)


def adopt_beat_edits(task: PeriodicTask) -> bool:
    """Carry an edit of a managed PeriodicTask to its policy; True when the policy changed."""
    from apps.backups.models import BackupPolicy

    match = MANAGED.match(task.name)
    if match is None:
        return False
    if task.crontab_id is None:
        log.warning("%s has no crontab; its policy keeps its own schedule", task.name)
        return False
    crontab = CrontabSchedule.objects.get(pk=task.crontab_id)
    expression, tz = crontab_expression(crontab), str(crontab.timezone)
    try:
        parse_crontab(expression, tz)
    except ValueError as exc:
        log.warning("%s: %s; its policy keeps its own schedule", task.name, exc)
        return False
    kind, pk = match.groups()
    updates = {"restore_schedule" if kind == "restore-check" else "schedule": expression}
    updates["schedule_timezone"] = tz
    if kind == "backup":
        updates["enabled"] = task.enabled
    return BackupPolicy.objects.filter(pk=int(pk)).update(**updates) > 0


def adopt_crontab_edits(crontab: CrontabSchedule) -> None:
    """A crontab row edited in place: every managed task using it carries the change."""
    for task in PeriodicTask.objects.filter(crontab=crontab):
        adopt_beat_edits(task)


def delete_periodic_tasks(policy) -> None:  # noqa: ANN001
    PeriodicTask.objects.filter(name__in=task_names(policy).values()).delete()
    PeriodicTasks.update_changed()
