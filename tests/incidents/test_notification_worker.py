"""A real Celery worker on the notifications queue delivers with retries and backoff."""

import pytest

from apps.incidents.intake import report_problem
from apps.incidents.models import Channel, NotificationDelivery, Route
from portal.celery import app
from tests.conftest import celery_process, shared_database_url, subprocess_env, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_failing_receiver_is_retried_until_it_accepts(receiver, make_service, settings):
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs the Redis broker (REDIS_URL)")
    app.control.purge()
    receiver.fail_first = 2
    api = make_service("api")
    channel = Channel.objects.create(
        name="hook", kind="webhook", target=receiver.url, secret=receiver.secret
    )
    Route.objects.create(channel=channel, min_severity="SEV2")
    env = subprocess_env(
        DATABASE_URL=shared_database_url(),
        NOTIFICATION_RETRY_BACKOFF_SECONDS="0.5",
        NOTIFICATION_MAX_RETRIES="4",
    )
    with celery_process(env, "worker", "-Q", "notifications", "-n", "notify@%h", "-c", "1"):
        incident = report_problem("monitor:5", "api is down", service_ids=[api.id])
        wait_until(
            lambda: NotificationDelivery.objects.filter(ok=True).exists(),
            timeout=90,
            what="a successful delivery after retries",
        )
    attempts = list(
        NotificationDelivery.objects.order_by("attempt").values_list("attempt", "ok", "status_code")
    )
    assert attempts == [(1, False, 503), (2, False, 503), (3, True, 200)]
    assert all(d.incident_id == incident.pk for d in NotificationDelivery.objects.all())
    assert [r["status"] for r in receiver.requests] == [503, 503, 200]
    assert receiver.rejected == []
