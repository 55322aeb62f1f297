"""A real Celery worker and a real beat write heartbeats that /health reads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.health import checks
from apps.health.models import ProcessHeartbeat
from tests.conftest import celery_process, shared_database_url, subprocess_env, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _env() -> dict[str, str]:
    return subprocess_env(DATABASE_URL=shared_database_url(), HEARTBEAT_INTERVAL="1")


def test_no_worker_heartbeat_is_degraded_not_failed():
    report = checks.full_report()
    assert report["components"]["workers"]["ok"] is False
    assert "no Celery worker heartbeat" in report["components"]["workers"]["error"]
    assert report["components"]["beat"]["error"] == "beat has never ticked"
    assert report["status"] == "degraded"


def test_real_worker_heartbeat_then_silence_then_stop():
    with celery_process(
        _env(), "worker", "-Q", "probes,maintenance", "-n", "hbtest@%h", "-c", "1"
    ) as proc:
        row = wait_until(
            lambda: ProcessHeartbeat.objects.filter(
                kind="worker", name__startswith="hbtest@"
            ).first(),
            timeout=60,
            what="the worker's heartbeat",
        )
        assert row.info["queues"] == ["maintenance", "probes"]
        assert checks.check_workers().ok
        later = timezone.now() + timedelta(seconds=61)
        silent = checks.check_workers(now=later)
        assert not silent.ok and not silent.critical
        assert checks.full_report(now=later)["components"]["workers"]["ok"] is False
        proc.terminate()
        proc.wait(30)
    row.refresh_from_db()
    assert row.stopped_at is not None
    assert not checks.check_workers().ok


def test_real_beat_ticks_then_stops():
    with celery_process(_env(), "beat", "--schedule", "/tmp/portal-test-beat") as proc:
        row = wait_until(
            lambda: ProcessHeartbeat.objects.filter(kind="beat").first(),
            timeout=60,
            what="beat's first tick",
        )
        assert checks.check_beat().ok
        stale = checks.check_beat(now=row.last_seen + timedelta(seconds=61))
        assert not stale.ok
        assert "no beat tick for 61 s" in stale.detail["error"]
        proc.terminate()
        proc.wait(30)
    beat = checks.check_beat()
    assert not beat.ok
    assert beat.detail["error"] == "beat was stopped"
