"""The pipeline tick: beat sends it, a worker runs it, so its row proves the whole path
(beat -> broker -> worker -> database) works, which worker and beat heartbeats alone cannot."""

import os
import socket

from celery import shared_task
from django.utils import timezone

from apps.health.models import ProcessHeartbeat


@shared_task(name="apps.health.tasks.pipeline_tick", ignore_result=True, expires=60)
def pipeline_tick() -> None:
    now = timezone.now()
    ProcessHeartbeat.record(
        ProcessHeartbeat.Kind.PIPELINE,
        "beat-to-worker",
        now=now,
        pid=os.getpid(),
        started_at=now,
        info={"ran_on": socket.gethostname()},
    )
