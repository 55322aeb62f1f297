"""Escalation: re-notify while open and unacknowledged; stop once acknowledged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.incidents.intake import report_problem
from apps.incidents.lifecycle import acknowledge
from apps.incidents.models import Channel, Incident, Route
from apps.incidents.notify import escalate_due

pytestmark = pytest.mark.django_db(transaction=True)


def test_escalates_each_period_until_acknowledged(
    receiver, eager_tasks, settings, django_user_model
):
    settings.INCIDENTS_ESCALATION_MINUTES = 15
    channel = Channel.objects.create(
        name="hook", kind="webhook", target=receiver.url, secret=receiver.secret
    )
    Route.objects.create(channel=channel)
    t0 = timezone.now()
    incident = report_problem("resource:cpu", "CPU above 80 %", now=t0)
    incident.refresh_from_db()
    assert incident.last_notified_at is not None

    assert escalate_due(now=incident.last_notified_at + timedelta(minutes=14)) == []
    later = incident.last_notified_at + timedelta(minutes=15)
    assert escalate_due(now=later) == [incident.pk]
    assert escalate_due(now=later + timedelta(minutes=1)) == []  # claimed: not twice
    assert escalate_due(now=later + timedelta(minutes=15)) == [incident.pk]
    events = [r["body"]["event"] for r in receiver.accepted]
    assert events == ["opened", "escalation", "escalation"]

    acknowledge(incident, user=django_user_model.objects.create_user("oncall"))
    assert escalate_due(now=later + timedelta(hours=5)) == []
    incident.refresh_from_db()
    assert incident.notifications_sent == 3


def test_escalation_off_when_period_is_zero(settings):
    settings.INCIDENTS_ESCALATION_MINUTES = 0
    Incident.objects.create(title="x", cause="job:x", opened_at=timezone.now() - timedelta(days=1))
    assert escalate_due() == []
