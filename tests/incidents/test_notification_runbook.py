"""A notification carries the runbook for its incident's cause (issue 9)."""

import pytest

from apps.incidents.intake import report_problem
from apps.incidents.notify import render
from apps.routines.models import Runbook

pytestmark = pytest.mark.django_db


def test_runbook_for_the_cause_is_in_the_message():
    Runbook.objects.create(
        title="Queue stuck",
        slug="queue-stuck",
        body="1. `celery inspect`",
        cause_patterns="queue:*",
    )
    incident = report_problem("queue:exports", "Exports queue stuck", severity="SEV2")
    message = render(incident, "opened")
    assert message["payload"]["runbook"]["title"] == "Queue stuck"
    assert "/routines/runbooks/queue-stuck/" in message["payload"]["runbook"]["url"]
    assert "Runbook: Queue stuck" in message["text"]


def test_no_runbook_no_line():
    incident = report_problem("custom:unmatched", "Something odd", severity="SEV3")
    message = render(incident, "opened")
    assert message["payload"]["runbook"] is None
    assert "Runbook:" not in message["text"]
