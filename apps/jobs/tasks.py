"""Celery tasks: one-liners around the domain functions (routed by settings: exports on the
`exports` queue, the rest on `maintenance`).

`run_id` is a JobRun the web (admin, API) already started; beat passes none and the task
takes the lock itself. A run in progress elsewhere is logged, not an error.
"""

import logging

from celery import shared_task

from apps.jobs import exporting, maintenance, retention
from apps.jobs.locking import JobAlreadyRunning

log = logging.getLogger(__name__)


@shared_task(name="apps.jobs.tasks.maintenance_run")
def maintenance_run(trigger: str = "beat", dry_run: bool = False, run_id: int | None = None):  # noqa: ANN201
    try:
        maintenance.run(trigger=trigger, dry_run=dry_run, run_id=run_id)
    except JobAlreadyRunning as exc:
        log.info("maintenance not started: %s", exc.message)


@shared_task(name="apps.jobs.tasks.retention_run")
def retention_run(  # noqa: ANN201
    trigger: str = "beat", dry_run: bool = False, kind: str | None = None, run_id: int | None = None
):
    try:
        retention.run(trigger=trigger, dry_run=dry_run, kind=kind, run_id=run_id)
    except JobAlreadyRunning as exc:
        log.info("retention not started: %s", exc.message)


@shared_task(name="apps.jobs.tasks.export_run")
def export_run(export_id: int, trigger: str = "api"):  # noqa: ANN201
    try:
        exporting.run_export(export_id, trigger=trigger)
    except JobAlreadyRunning as exc:
        log.info("export %s not started: %s", export_id, exc.message)
