"""Who gets notified: routes by service and minimum severity, maintenance silence."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.incidents.intake import report_problem, report_recovery
from apps.incidents.models import Channel, Incident, MaintenanceWindow, Route
from apps.incidents.notify import channel_ids_for

pytestmark = pytest.mark.django_db(transaction=True)


def route(name, min_severity="SEV4", services=(), include_unassigned=True, enabled=True):
    channel = Channel.objects.create(
        name=name, kind="slack", target="http://127.0.0.1:9/x", enabled=enabled
    )
    r = Route.objects.create(
        channel=channel, min_severity=min_severity, include_unassigned=include_unassigned
    )
    r.services.set(services)
    return channel.pk


def test_routes_match_services_and_severity(make_service):
    api, db = make_service("api"), make_service("db")
    everything = route("all")
    pages = route("pages", min_severity="SEV1")
    api_team = route("api-team", services=[api], include_unassigned=False)
    db_team = route("db-team", min_severity="SEV2", services=[db])
    route("off", enabled=False)

    def incident(severity, services):
        i = Incident.objects.create(title="x", severity=severity)
        i.services.set(services)
        return channel_ids_for(i)

    assert incident("SEV1", [api]) == sorted([everything, pages, api_team])
    assert incident("SEV3", [db]) == [everything]
    assert incident("SEV2", [db, api]) == sorted([everything, api_team, db_team])
    assert incident("SEV2", []) == sorted([everything, db_team])  # host alerts: unassigned


def test_opened_and_resolved_are_sent_but_not_inside_maintenance(
    receiver, make_service, eager_tasks
):
    api = make_service("api")
    channel = Channel.objects.create(
        name="hook", kind="webhook", target=receiver.url, secret=receiver.secret
    )
    Route.objects.create(channel=channel)
    report_problem("monitor:1", "api down", service_ids=[api.id])
    report_recovery("monitor:1")
    assert [r["body"]["event"] for r in receiver.accepted] == ["opened", "resolved"]

    # An incident opened before a window starts is resolved silently inside it.
    report_problem("monitor:1", "api down", service_ids=[api.id])
    now = timezone.now()
    window = MaintenanceWindow.objects.create(
        name="w", starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1)
    )
    window.services.set([api])
    report_recovery("monitor:1")
    assert [r["body"]["event"] for r in receiver.accepted] == ["opened", "resolved", "opened"]
