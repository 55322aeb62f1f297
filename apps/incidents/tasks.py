"""Celery tasks of the incidents app (queue `notifications`): thin shells over domain code."""

from celery import shared_task
from django.conf import settings

from apps.incidents import notify as notifications
from apps.incidents import resources


@shared_task(bind=True, max_retries=None, acks_late=True)
def notify(self, channel_id: int, incident_id: int | None, event: str) -> bool:  # noqa: ANN001
    """Deliver one notification; retried with exponential backoff while it fails."""
    attempt = self.request.retries + 1
    delivery = notifications.deliver_once(channel_id, incident_id, event, attempt=attempt)
    if delivery is None or delivery.ok:
        return delivery is not None
    if self.request.retries >= settings.NOTIFICATION_MAX_RETRIES:
        return False
    raise self.retry(countdown=notifications.backoff_seconds(self.request.retries))


@shared_task
def escalate() -> int:
    return len(notifications.escalate_due())


@shared_task
def reconcile_down_monitors() -> int:
    from apps.incidents.reconcile import reconcile

    return reconcile()


@shared_task
def evaluate_resource_rules() -> int:
    return len(resources.evaluate_all())
