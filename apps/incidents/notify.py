"""Who gets told what: routing, message rendering, one delivery attempt, escalation.

Delivery itself runs in Celery (`apps.incidents.tasks.notify`, queue `notifications`) with
retries and exponential backoff; every attempt writes a NotificationDelivery row.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.incidents import channels
from apps.incidents.maintenance import in_maintenance
from apps.incidents.models import Channel, Incident, NotificationDelivery, Route
from apps.routines.runbooks import runbook_for_incident


def channel_ids_for(incident: Incident) -> list[int]:
    """Enabled channels whose routes match the incident's services and severity."""
    service_ids = list(incident.services.values_list("id", flat=True))
    # "SEV1" < "SEV2" as strings too: a route with minimum SEV3 takes SEV1, SEV2 and SEV3.
    routes = Route.objects.filter(channel__enabled=True, min_severity__gte=incident.severity)
    match = Q(services__isnull=True)
    if service_ids:
        match |= Q(services__in=service_ids)
    else:
        match |= Q(include_unassigned=True)
    return sorted(set(routes.filter(match).values_list("channel_id", flat=True)))


def dispatch(incident_id: int, event: str, *, now: datetime | None = None) -> list[int]:
    """Queue one delivery per matching channel; the channel ids queued.

    Nothing goes out while every service of the incident is under maintenance.
    """
    from apps.incidents.tasks import notify

    now = now or timezone.now()
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        return []
    service_ids = set(incident.services.values_list("id", flat=True))
    if service_ids and in_maintenance(service_ids, now) == service_ids:
        return []
    if event != NotificationDelivery.Event.RESOLVED:
        Incident.objects.filter(pk=incident_id).update(
            last_notified_at=now, notifications_sent=F("notifications_sent") + 1
        )
    ids = channel_ids_for(incident)
    for channel_id in ids:
        notify.delay(channel_id, incident_id, event)
    return ids


def send_test(channel: Channel) -> None:
    """Queue a test message through `channel` (the admin action)."""
    from apps.incidents.tasks import notify

    Channel.objects.filter(pk=channel.pk).update(last_tested_at=timezone.now())
    transaction.on_commit(lambda: notify.delay(channel.pk, None, NotificationDelivery.Event.TEST))


def render(incident: Incident | None, event: str) -> dict:
    """Subject, plain text and the JSON payload of a notification."""
    base = settings.PORTAL_URL.rstrip("/")
    if incident is None:
        text = "Test notification from the Operations Portal: this channel works."
        payload = {"event": event, "incident": None, "text": text}
        return {"subject": "[portal] test notification", "text": text, "payload": payload}
    link = f"{base}/admin/incidents/incident/{incident.pk}/change/"
    services = list(incident.services.values_list("slug", flat=True))
    verb = {"opened": "opened", "resolved": "RESOLVED", "escalation": "still unacknowledged"}
    subject = f"[{incident.severity}] {verb.get(event, event)}: {incident.title}"
    text = f"{subject}\nServices: {', '.join(services) or '-'}\nStatus: {incident.status}\n{link}"
    runbook = runbook_for_incident(incident)
    if runbook is not None:
        text += f"\nRunbook: {runbook['title']} {runbook['url']}"
    payload = {
        "event": event,
        "incident": {
            "id": incident.pk,
            "title": incident.title,
            "severity": incident.severity,
            "status": incident.status,
            "services": services,
            "cause": incident.cause,
            "automatic": incident.automatic,
            "opened_at": _iso(incident.opened_at),
            "acknowledged_at": _iso(incident.acknowledged_at),
            "resolved_at": _iso(incident.resolved_at),
            "url": link,
        },
        "runbook": runbook,
        "text": text,
    }
    return {"subject": subject, "text": text, "payload": payload}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def deliver_once(
    channel_id: int, incident_id: int | None, event: str, *, attempt: int = 1
) -> NotificationDelivery | None:
    """Try once and log the attempt; None when the channel or incident is gone."""
    channel = Channel.objects.filter(pk=channel_id).first()
    incident = None
    if incident_id is not None:
        incident = Incident.objects.filter(pk=incident_id).first()
        if incident is None:
            return None
    if channel is None or (not channel.enabled and event != NotificationDelivery.Event.TEST):
        return None
    if (
        event == NotificationDelivery.Event.ESCALATION
        and incident is not None
        and (incident.acknowledged_at is not None or not incident.is_open)
    ):
        return None  # acknowledged or resolved while the message waited in the queue
    outcome = channels.send(channel.kind, channel.target, channel.secret, render(incident, event))
    return NotificationDelivery.objects.create(
        channel=channel,
        incident=incident,
        event=event,
        attempt=attempt,
        ok=outcome.ok,
        status_code=outcome.status_code,
        error=outcome.error[:2000],
    )


def backoff_seconds(retries: int) -> float:
    """Exponential backoff: base, 2 x base, 4 x base ... capped at one hour."""
    return min(settings.NOTIFICATION_RETRY_BACKOFF_SECONDS * (2**retries), 3600.0)


def escalate_due(*, now: datetime | None = None) -> list[int]:
    """Re-notify open, unacknowledged incidents not notified for a whole escalation period."""
    now = now or timezone.now()
    minutes = settings.INCIDENTS_ESCALATION_MINUTES
    if minutes <= 0:
        return []
    cutoff = now - timedelta(minutes=minutes)
    with transaction.atomic():
        # SKIP LOCKED so two beats (or a beat and a manual run) never escalate one twice.
        due = list(
            Incident.objects.open()
            .filter(acknowledged_at__isnull=True)
            .filter(
                Q(last_notified_at__lte=cutoff)
                | Q(last_notified_at__isnull=True, opened_at__lte=cutoff)
            )
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)
        )
        for pk in due:
            transaction.on_commit(
                lambda pk=pk: dispatch(pk, NotificationDelivery.Event.ESCALATION, now=now)
            )
        # Claim them now: dispatch rewrites the same timestamp after commit.
        Incident.objects.filter(pk__in=due).update(last_notified_at=now)
    return due
