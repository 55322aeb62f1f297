"""The incident workflow: timeline entries, acknowledgement, status changes, resolution.

Every entry point (admin action, API, intake, command) calls these, so each transition
writes its timeline entry and triggers its notifications in exactly one place.
"""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from apps.core.errors import Conflict, PortalError
from apps.incidents.models import Incident, IncidentUpdate, NotificationDelivery


def add_update(
    incident: Incident,
    text: str,
    *,
    user: AbstractBaseUser | None = None,
    status: str = "",
    now: datetime | None = None,
) -> IncidentUpdate:
    """Append to the timeline; a `status` also moves the incident (resolving sets resolved_at)."""
    now = now or timezone.now()
    text = text.strip()
    if not text and not status:
        raise PortalError("an update needs a text", fields={"text": "must not be empty"})
    if status and status not in Incident.Status.values:
        raise PortalError(
            f"unknown status {status!r}",
            fields={"status": f"choose one of {', '.join(Incident.Status.values)}"},
        )
    if status == Incident.Status.RESOLVED:
        return resolve(incident, text=text, user=user, now=now)
    with transaction.atomic():
        if status and status != incident.status:
            if not incident.is_open:
                _reopen(incident)
            incident.status = status
            incident.save(update_fields=["status", "resolved_at"])
        return IncidentUpdate.objects.create(
            incident=incident,
            at=now,
            user=_real(user),
            status=status,
            text=text or f"Status changed to {status}.",
        )


def _reopen(incident: Incident) -> None:
    if (
        incident.cause
        and Incident.objects.open().filter(cause=incident.cause).exclude(pk=incident.pk).exists()
    ):
        raise Conflict(f"another incident is already open for {incident.cause}")
    incident.resolved_at = None


def acknowledge(
    incident: Incident, *, user: AbstractBaseUser | None = None, now: datetime | None = None
) -> bool:
    """Mark as acknowledged (stops escalation); False when it already was or is resolved."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = (
            Incident.objects.filter(pk=incident.pk, acknowledged_at__isnull=True)
            .exclude(status=Incident.Status.RESOLVED)
            .update(acknowledged_at=now, acknowledged_by=_real(user))
        )
        if not changed:
            return False
        incident.acknowledged_at, incident.acknowledged_by = now, _real(user)
        IncidentUpdate.objects.create(
            incident=incident, at=now, user=_real(user), text=f"Acknowledged by {_who(user)}."
        )
    return True


def resolve(
    incident: Incident,
    *,
    text: str = "",
    user: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> IncidentUpdate | None:
    """Resolve an open incident and notify; None when it was already resolved."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = (
            Incident.objects.filter(pk=incident.pk)
            .exclude(status=Incident.Status.RESOLVED)
            .update(status=Incident.Status.RESOLVED, resolved_at=now)
        )
        if not changed:
            return None
        incident.status, incident.resolved_at = Incident.Status.RESOLVED, now
        update = IncidentUpdate.objects.create(
            incident=incident,
            at=now,
            user=_real(user),
            status=Incident.Status.RESOLVED,
            text=text or f"Resolved by {_who(user)}.",
        )
        _notify_on_commit(incident, NotificationDelivery.Event.RESOLVED)
    return update


def open_manually(
    *,
    title: str,
    severity: str,
    service_ids: list[int],
    user: AbstractBaseUser | None = None,
    text: str = "",
    now: datetime | None = None,
) -> Incident:
    """An incident declared by a person (admin or API), notified like an automatic one."""
    now = now or timezone.now()
    with transaction.atomic():
        incident = Incident.objects.create(title=title, severity=severity, opened_at=now)
        if service_ids:
            incident.services.set(service_ids)
        IncidentUpdate.objects.create(
            incident=incident,
            at=now,
            user=_real(user),
            status=Incident.Status.INVESTIGATING,
            text=text or f"Opened by {_who(user)}.",
        )
        _notify_on_commit(incident, NotificationDelivery.Event.OPENED)
    return incident


def _notify_on_commit(incident: Incident, event: str) -> None:
    from apps.incidents.notify import dispatch

    pk = incident.pk
    transaction.on_commit(lambda: dispatch(pk, event))


def _real(user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None


def _who(user: AbstractBaseUser | None) -> str:
    real = _real(user)
    return real.get_username() if real is not None else "the portal"
