"""Retention: delete rows older than their kind's days, in bounded batches.

Each batch is one short transaction that deletes at most RETENTION_BATCH_SIZE rows chosen
by primary key, so a concurrent writer never waits long for a lock. Every committed batch is
progress that stays done: a run killed half-way and started again simply continues, and
running it twice deletes nothing more (the choice depends only on the cutoff).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, models, transaction

from apps.jobs.models import JobRun, RetentionPolicy
from apps.jobs.registry import RetentionKind, get_retention, retention_kinds


@dataclass(frozen=True)
class Outcome:
    kind: str
    cutoff: datetime
    examined: int
    deleted: int


def expired(entry: RetentionKind, cutoff: datetime) -> models.QuerySet:
    model = entry.model_class()
    return model._base_manager.filter(**{f"{entry.date_field}__lt": cutoff})


def _has_dependents(model: type[models.Model]) -> bool:
    """Whether deleting a row may touch other tables (cascades, SET NULL...)."""
    return any(rel.on_delete is not models.DO_NOTHING for rel in model._meta.related_objects)


def delete_batch(entry: RetentionKind, cutoff: datetime, batch_size: int) -> int:
    """Delete up to `batch_size` expired rows in one transaction; returns how many went."""
    model = entry.model_class()
    with transaction.atomic():
        candidates = expired(entry, cutoff).order_by("pk")
        if connection.vendor == "postgresql":
            # Rows a writer is updating right now are skipped, not waited for; the next
            # batch or run picks them up.
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return 0
        chosen = model._base_manager.filter(pk__in=ids)
        if _has_dependents(model):
            return chosen.delete()[1].get(model._meta.label, 0)
        # No cascades and no signals needed: one DELETE ... WHERE id IN (...).
        return chosen._raw_delete(chosen.db)


def apply(
    kind: str,
    *,
    now: datetime,
    dry_run: bool = False,
    batch_size: int | None = None,
    on_batch: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Apply the retention policy of one kind. `on_batch(deleted_so_far, total)` after each
    batch. A dry run only counts."""
    entry = get_retention(kind)
    policy = RetentionPolicy.for_kind(kind)
    cutoff = policy.cutoff(now=now)
    total = expired(entry, cutoff).count()
    if dry_run or not policy.enabled:
        return Outcome(kind, cutoff, total, 0)
    size = batch_size or settings.RETENTION_BATCH_SIZE
    deleted = 0
    while True:
        n = delete_batch(entry, cutoff, size)
        if n == 0:
            break
        deleted += n
        if on_batch is not None:
            on_batch(deleted, total)
    return Outcome(kind, cutoff, total, deleted)


def kinds(only: str | None = None) -> list[str]:
    if only:
        return [get_retention(only).kind]
    return list(retention_kinds())


def run(
    *,
    trigger: str,
    user=None,  # noqa: ANN001
    dry_run: bool = False,
    kind: str | None = None,
    now: datetime | None = None,
    batch_size: int | None = None,
    run_id: int | None = None,
    echo: Callable[[str], None] | None = None,
    on_batch: Callable[[str, int, int], None] | None = None,
) -> JobRun:
    """One retention run over every registered kind (or one), recorded as a JobRun."""
    from django.utils import timezone

    from apps.jobs.runs import claim, run_job

    selected = kinds(kind)  # an unknown kind is refused before anything is recorded
    now = now or timezone.now()
    started = claim(run_id) if run_id else None
    if started is not None:
        dry_run = started.dry_run
    with run_job(
        JobRun.Kind.RETENTION,
        trigger=trigger,
        user=user,
        dry_run=dry_run,
        params={"kind": kind} if kind else {},
        now=now,
        echo=echo,
        run=started,
    ) as recorder:
        for index, name in enumerate(selected):

            def batch_done(deleted: int, total: int, name: str = name, index: int = index) -> None:
                share = deleted / total if total else 1.0
                recorder.run.counts[f"{name}_deleted"] = deleted
                recorder.progress(100.0 * (index + min(share, 1.0)) / len(selected))
                if on_batch is not None:
                    on_batch(name, deleted, total)

            outcome = apply(
                name, now=now, dry_run=dry_run, batch_size=batch_size, on_batch=batch_done
            )
            recorder.count("examined", outcome.examined)
            recorder.count("deleted", outcome.deleted)
            recorder.run.counts[f"{name}_examined"] = outcome.examined
            recorder.run.counts[f"{name}_deleted"] = outcome.deleted
            verb = "would delete" if dry_run else "deleted"
            amount = outcome.examined if dry_run else outcome.deleted
            recorder.log(
                f"{name}: {verb} {amount} rows older than {outcome.cutoff:%Y-%m-%d %H:%M} UTC"
            )
    return recorder.run
