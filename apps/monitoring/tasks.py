"""Celery tasks (queue `probes`): one-liners around the domain functions."""

import math
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from apps.monitoring import heartbeats, probing, rollups


@shared_task(name="apps.monitoring.tasks.dispatch", ignore_result=True)
def dispatch() -> int:
    """Run by beat every few seconds: fan due probes out in batches, detect late heartbeats."""
    now = timezone.now()
    due = probing.count_due(now=now + timedelta(seconds=settings.MONITORING_DISPATCH_SECONDS))
    batches = min(math.ceil(due / settings.MONITORING_BATCH_SIZE), settings.MONITORING_MAX_FANOUT)
    for _ in range(batches):
        # A batch nobody took within a few seconds is stale: the next dispatch sends fresh ones.
        run_due.apply_async(expires=settings.MONITORING_DISPATCH_SECONDS * 2)
    heartbeats.check_late(now=now)
    return batches


@shared_task(name="apps.monitoring.tasks.run_due", ignore_result=True)
def run_due() -> int:
    return probing.run_due()


@shared_task(name="apps.monitoring.tasks.roll_up", ignore_result=True)
def roll_up() -> int:
    return rollups.roll_up(now=timezone.now())
