"""Starting a job from the web (admin action, API): take the lock now, run it in a worker.

Taking the lock in the request means a double click or a second admin is told at once that
a run is in progress; the worker then claims the run by id.
"""

from django.db.models import Max

from apps.core.errors import PortalError
from apps.jobs.models import JobRun
from apps.jobs.registry import get_retention
from apps.jobs.runs import start

STARTABLE = (JobRun.Kind.MAINTENANCE, JobRun.Kind.RETENTION)


def trigger(
    kind: str,
    *,
    user,  # noqa: ANN001
    trigger: str,
    dry_run: bool = False,
    retention_kind: str | None = None,
    request=None,  # noqa: ANN001
) -> JobRun:
    from apps.jobs import tasks

    if kind not in STARTABLE:
        raise PortalError(
            "kind must be maintenance or retention (exports are created under /exports)",
            fields={"kind": "maintenance or retention"},
        )
    if retention_kind:
        if kind != JobRun.Kind.RETENTION:
            raise PortalError("retention_kind only applies to retention runs")
        get_retention(retention_kind)
    params = {"kind": retention_kind} if retention_kind else {}
    run = start(kind, trigger=trigger, user=user, dry_run=dry_run, params=params, request=request)
    if kind == JobRun.Kind.MAINTENANCE:
        tasks.maintenance_run.delay_on_commit(trigger=trigger, run_id=run.pk)
    else:
        tasks.retention_run.delay_on_commit(trigger=trigger, kind=retention_kind, run_id=run.pk)
    return run


def last_runs() -> dict[str, JobRun]:
    """The newest run of each kind (one query for the ids, one for the rows)."""
    newest = JobRun.objects.values("kind").annotate(last=Max("id")).values_list("last", flat=True)
    return {run.kind: run for run in JobRun.objects.filter(pk__in=list(newest))}
