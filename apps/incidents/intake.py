"""The one entry point every automatic cause calls: monitors, heartbeats, backups, jobs,
resource rules and Alertmanager.

A cause is a stable key ("monitor:42", "backup:policy:7", "job:retention", "resource:cpu",
"alertmanager:<fingerprint>"). At most one incident per cause is open at a time; the database
enforces it (partial unique index `incident_one_open_per_cause`), so two workers reporting the
same failure at the same instant end up on the same row.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.incidents.lifecycle import _notify_on_commit, resolve
from apps.incidents.maintenance import in_maintenance
from apps.incidents.models import Incident, IncidentUpdate, NotificationDelivery, severity_rank
from apps.incidents.topology import dependencies_of, dependents_of
from apps.monitoring.models import Service

ATTEMPTS = 3


def report_problem(
    cause: str,
    title: str,
    *,
    severity: str = "SEV2",
    service_ids: Iterable[int] = (),
    detail: str = "",
    now: datetime | None = None,
) -> Incident | None:
    """Open the incident for `cause`, or update the open one; None when suppressed.

    Suppressed when every service named is inside a maintenance window, or when a service's
    dependency is under maintenance. When a dependency already has an open incident, the
    services are added to that one (the root cause) instead of opening another; when the
    dependency's incident opens after its dependents' own (their probes noticed first), those
    are merged into it. A dependent still failing once the root has recovered is reported
    again by `apps.incidents.reconcile`, so merging never loses an alert.
    """
    if not cause:
        raise ValueError("report_problem needs a cause key")
    now = now or timezone.now()
    ids = set(service_ids)
    if ids:
        ids -= in_maintenance(ids, now)
        if not ids:
            return None
        upstream = dependencies_of(ids) - ids
        if upstream and in_maintenance(upstream, now):
            return None
        root = _root_incident(upstream, cause)
        if root is not None:
            return _attach_impacted(root, ids, detail, now)
    impacted = ids | dependents_of(ids)
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                incident = _open_for_update(cause)
                if incident is None:
                    return _create(cause, title, severity, ids, impacted, detail, now)
                _refresh(incident, severity, impacted, detail, now)
                return incident
        except IntegrityError:
            # Another worker opened it between our SELECT and INSERT; its row is committed
            # now (the unique index made us wait for it), so the next round updates it.
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def report_recovery(
    cause: str, *, detail: str = "", now: datetime | None = None
) -> Incident | None:
    """Resolve the open incident of `cause` with a timeline entry; None when none was open."""
    now = now or timezone.now()
    with transaction.atomic():
        incident = _open_for_update(cause)
        if incident is None:
            return None
        text = "Recovered; resolved automatically."
        resolve(incident, text=f"{text} {detail}".strip(), now=now)
    return incident


def _open_for_update(cause: str) -> Incident | None:
    return Incident.objects.open().select_for_update().filter(cause=cause).first()


def _create(
    cause: str,
    title: str,
    severity: str,
    ids: set[int],
    impacted: set[int],
    detail: str,
    now: datetime,
) -> Incident:
    incident = Incident.objects.create(
        title=title[:300], severity=severity, cause=cause, automatic=True, opened_at=now
    )
    if impacted:
        incident.services.set(impacted)
    text = f"Opened automatically ({cause})."
    if impacted - ids:
        names = _names(impacted - ids)
        text += f" Impacted through dependencies: {names}."
    IncidentUpdate.objects.create(
        incident=incident,
        at=now,
        status=Incident.Status.INVESTIGATING,
        text=f"{text} {detail}".strip(),
    )
    _notify_on_commit(incident, NotificationDelivery.Event.OPENED)
    _merge_dependents(incident, impacted - ids, now)
    return incident


def _merge_dependents(root: Incident, dependents: set[int], now: datetime) -> None:
    """Fold open automatic incidents that only concern `dependents` into the new `root`."""
    if not dependents:
        return
    candidates = (
        Incident.objects.open()
        .filter(automatic=True, services__in=dependents)
        .exclude(pk=root.pk)
        .distinct()
    )
    for other in candidates:
        if not set(other.services.values_list("id", flat=True)) <= dependents:
            continue  # it also concerns services the root does not explain
        resolve(
            other,
            text=f"Merged into #{root.pk} ({root.title}): a service it depends on is down. "
            "Reported again if still failing once that recovers.",
            now=now,
        )
        note = f"Merged #{other.pk} ({other.title}), opened {other.opened_at:%H:%M:%S} UTC."
        if severity_rank(other.severity) < severity_rank(root.severity):
            note += f" Severity raised from {root.severity} to {other.severity}."
            root.severity = other.severity
            root.save(update_fields=["severity"])
        IncidentUpdate.objects.create(incident=root, at=now, text=note)


def _refresh(
    incident: Incident, severity: str, impacted: set[int], detail: str, now: datetime
) -> None:
    notes = []
    new = impacted - set(incident.services.values_list("id", flat=True))
    if new:
        incident.services.add(*new)
        notes.append(f"Also affects {_names(new)}.")
    if severity_rank(severity) < severity_rank(incident.severity):
        notes.append(f"Severity raised from {incident.severity} to {severity}.")
        incident.severity = severity
        incident.save(update_fields=["severity"])
    last = incident.updates.order_by("-at", "-id").values_list("text", flat=True).first()
    if detail and detail != last and not notes:
        notes.append(detail)
    if notes:
        IncidentUpdate.objects.create(incident=incident, at=now, text=" ".join(notes))


def _root_incident(upstream: set[int], cause: str) -> Incident | None:
    if not upstream:
        return None
    return (
        Incident.objects.open()
        .filter(services__in=upstream)
        .exclude(cause=cause)
        .order_by("opened_at")
        .first()
    )


def _attach_impacted(root: Incident, ids: set[int], detail: str, now: datetime) -> Incident:
    impacted = ids | dependents_of(ids)
    with transaction.atomic():
        root = Incident.objects.select_for_update().get(pk=root.pk)
        new = impacted - set(root.services.values_list("id", flat=True))
        if new:
            root.services.add(*new)
            text = f"{_names(new)} impacted (a dependency is down)."
            IncidentUpdate.objects.create(incident=root, at=now, text=f"{text} {detail}".strip())
    return root


def _names(ids: set[int]) -> str:
    return ", ".join(Service.objects.filter(id__in=ids).values_list("name", flat=True))
