"""Celery tasks of the routines app: one-liners around the domain (queue `maintenance`)."""

import logging

from celery import shared_task

from apps.routines.checklists import run_routines as run

log = logging.getLogger(__name__)


@shared_task(name="apps.routines.tasks.run_routines")
def run_routines() -> str:
    report = run()
    log.info("routines: %s", report)
    return str(report)
