"""Hooks into the incidents app through its public models only (no change to its code).

When an incident opens, its timeline gets one entry per deployment of its services in the
hour before ("Deployed api 1.4.2 ... 12 minutes before this incident opened.") and one naming
the runbook for its cause.
"""

import logging

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from apps.routines.deployments import deployments_before, describe_before
from apps.routines.runbooks import runbook_for_cause, runbook_url

log = logging.getLogger(__name__)


@receiver(post_save, sender="incidents.Incident", dispatch_uid="routines.incident_opened")
def on_incident_saved(sender: type, instance: object, created: bool, **kwargs: object) -> None:
    if not created or kwargs.get("raw"):
        return
    # After commit: the intake sets the incident's services after the first save.
    transaction.on_commit(lambda: annotate_incident(instance.pk))


def annotate_incident(incident_id: int) -> int:
    """Write the deployment and runbook entries into an incident's timeline; how many."""
    Incident = apps.get_model("incidents", "Incident")
    IncidentUpdate = apps.get_model("incidents", "IncidentUpdate")
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        return 0
    service_ids = list(incident.services.values_list("id", flat=True))
    entries = [
        IncidentUpdate(incident=incident, at=d.at, text=describe_before(d, incident.opened_at))
        for d in deployments_before(incident.opened_at, service_ids)
    ]
    runbook = runbook_for_cause(incident.cause)
    if runbook is not None:
        text = f"Runbook for this cause: {runbook.title} {runbook_url(runbook)}"
        entries.append(IncidentUpdate(incident=incident, at=incident.opened_at, text=text))
    IncidentUpdate.objects.bulk_create(entries)
    return len(entries)
