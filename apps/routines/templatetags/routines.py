"""Template tags other apps' pages can use without importing the routines app's code."""

from django import template
from django.db.models import Model

from apps.routines.deployments import deployments_before, describe_before
from apps.routines.runbooks import render_markdown, runbook_for_cause

register = template.Library()


@register.inclusion_tag("routines/incident_context.html")
def incident_routines(incident: Model | None) -> dict:
    """The runbook for the incident's cause and the deployments just before it opened."""
    if incident is None or incident.pk is None:
        return {"runbook": None, "deployments": []}
    runbook = runbook_for_cause(incident.cause)
    service_ids = list(incident.services.values_list("id", flat=True))
    deployments = [
        describe_before(d, incident.opened_at)
        for d in deployments_before(incident.opened_at, service_ids)
    ]
    return {
        "runbook": runbook,
        "runbook_html": render_markdown(runbook.body) if runbook else "",
        "deployments": deployments,
    }
