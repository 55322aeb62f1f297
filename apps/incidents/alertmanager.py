"""Prometheus Alertmanager webhook intake (payload version 4).

Each alert in a notification is one cause, `alertmanager:<fingerprint>`: a firing alert opens
(or updates) its incident, a resolved one resolves it. Labels pick the severity
(`severity`: critical, warning, info or SEV1..SEV4) and the services (`service` or `job`
matching a service slug).
"""

import hashlib
import json
from datetime import datetime

from django.utils import timezone

from apps.core.errors import PortalError
from apps.incidents.intake import report_problem, report_recovery
from apps.monitoring.models import Service

SEVERITIES = {
    "critical": "SEV1",
    "page": "SEV1",
    "error": "SEV2",
    "major": "SEV2",
    "high": "SEV2",
    "warning": "SEV3",
    "minor": "SEV3",
    "info": "SEV4",
    "low": "SEV4",
    "none": "SEV4",
}


def severity_for(labels: dict) -> str:
    value = str(labels.get("severity", "")).strip()
    if value.upper() in ("SEV1", "SEV2", "SEV3", "SEV4"):
        return value.upper()
    return SEVERITIES.get(value.lower(), "SEV2")


def fingerprint_of(alert: dict) -> str:
    """Alertmanager's own fingerprint; a hash of the labels when a sender leaves it out."""
    given = str(alert.get("fingerprint") or "").strip()
    if given:
        return given[:100]
    labels = json.dumps(alert.get("labels") or {}, sort_keys=True)
    return hashlib.sha256(labels.encode()).hexdigest()[:16]


def title_of(alert: dict) -> str:
    labels, annotations = alert.get("labels") or {}, alert.get("annotations") or {}
    summary = annotations.get("summary") or annotations.get("title")
    if summary:
        return str(summary)
    name = labels.get("alertname", "Alertmanager alert")
    instance = labels.get("instance")
    return f"{name} on {instance}" if instance else str(name)


def receive(payload: dict, *, now: datetime | None = None) -> dict:
    """Apply every alert of one notification: incident ids per outcome, suppressed count."""
    now = now or timezone.now()
    alerts = payload.get("alerts")
    if not isinstance(alerts, list):
        raise PortalError("not an Alertmanager payload", fields={"alerts": "a list is required"})
    slugs = {
        str(alert.get("labels", {}).get(key))
        for alert in alerts
        for key in ("service", "job")
        if isinstance(alert, dict) and alert.get("labels", {}).get(key)
    }
    by_slug = dict(Service.objects.filter(slug__in=slugs).values_list("slug", "id"))
    outcome: dict = {"opened_or_updated": [], "resolved": [], "suppressed": 0}
    for alert in alerts:
        if not isinstance(alert, dict):
            raise PortalError("every alert must be an object", fields={"alerts": "invalid item"})
        cause = f"alertmanager:{fingerprint_of(alert)}"
        labels, annotations = alert.get("labels") or {}, alert.get("annotations") or {}
        if alert.get("status", payload.get("status")) == "resolved":
            incident = report_recovery(cause, detail="Alertmanager: resolved.", now=now)
            if incident is not None:
                outcome["resolved"].append(incident.pk)
            continue
        service_ids = {by_slug[labels[k]] for k in ("service", "job") if labels.get(k) in by_slug}
        incident = report_problem(
            cause,
            title_of(alert),
            severity=severity_for(labels),
            service_ids=service_ids,
            detail=str(annotations.get("description", "")),
            now=now,
        )
        if incident is None:
            outcome["suppressed"] += 1  # inside a maintenance window
        else:
            outcome["opened_or_updated"].append(incident.pk)
    return outcome
