"""Which backups to keep: keep-last-N plus daily for D days plus weekly for W weeks.

`choose` is pure (values in, values out); `apply_retention` does the I/O around it.
Like pgBackRest, only complete backups count, and one backup older than the window is kept so
the whole window stays restorable.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    id: int
    finished_at: datetime


@dataclass(frozen=True)
class Rules:
    keep_last: int
    daily_days: int
    weekly_weeks: int


def choose(
    backups: list[Candidate],
    *,
    rules: Rules,
    now: datetime,
    protected: frozenset[int] = frozenset(),
) -> set[int]:
    """Ids of the good backups to remove. Never the newest one, nor any in `protected`."""
    ordered = sorted(backups, key=lambda b: (b.finished_at, b.id), reverse=True)
    if not ordered:
        return set()
    keep = {b.id for b in ordered[: max(rules.keep_last, 1)]}
    keep |= protected & {b.id for b in ordered}
    # The newest backup per calendar day / ISO week inside each window. A backup from "the
    # future" (the clock jumped back) counts as inside the window rather than being dropped.
    daily_start = now - timedelta(days=rules.daily_days)
    weekly_start = now - timedelta(weeks=rules.weekly_weeks)
    days: set = set()
    weeks: set = set()
    for backup in ordered:
        if rules.daily_days and backup.finished_at >= daily_start:
            day = backup.finished_at.date()
            if day not in days:
                days.add(day)
                keep.add(backup.id)
        if rules.weekly_weeks and backup.finished_at >= weekly_start:
            week = backup.finished_at.isocalendar()[:2]
            if week not in weeks:
                weeks.add(week)
                keep.add(backup.id)
    if rules.daily_days or rules.weekly_weeks:
        window_start = min(daily_start, weekly_start)
        older = next((b for b in ordered if b.finished_at < window_start), None)
        if older is not None:
            keep.add(older.id)
    return {b.id for b in ordered} - keep


def apply_retention(policy, *, now: datetime) -> list[int]:  # noqa: ANN001
    """Remove the files retention lets go, mark their runs pruned; returns the run ids."""
    from apps.backups.models import BackupRun, RestoreCheck
    from apps.backups.storage import storage_at

    good = BackupRun.objects.filter(
        policy=policy, status=BackupRun.Status.SUCCEEDED, pruned_at__isnull=True
    )
    candidates = [Candidate(pk, at) for pk, at in good.values_list("pk", "finished_at")]
    reading = frozenset(
        RestoreCheck.objects.filter(
            policy=policy, status=RestoreCheck.Status.RUNNING, backup_run__isnull=False
        ).values_list("backup_run_id", flat=True)
    )
    rules = Rules(policy.keep_last, policy.keep_daily_days, policy.keep_weekly_weeks)
    doomed = choose(candidates, rules=rules, now=now, protected=reading)
    if not doomed:
        return []
    removed = []
    for run in good.filter(pk__in=doomed).only("pk", "file_name", "finished_at", "storage"):
        storage_at(policy.pk, run.storage).delete(run.file_name)  # where that run wrote it
        removed.append(run.pk)
        log.info(
            "retention removed backup run %s of policy %s (%s, finished %s)",
            run.pk,
            policy.pk,
            run.file_name,
            run.finished_at.isoformat(),
        )
    BackupRun.objects.filter(pk__in=removed).update(pruned_at=now, settled_at=now)
    return removed
