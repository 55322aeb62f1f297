"""manage.py commands of the incidents app."""

import pytest
from django.core.management import CommandError, call_command

from apps.incidents.models import Channel, NotificationDelivery, ResourceRule
from tests.conftest import closed_port

pytestmark = pytest.mark.django_db


def test_send_test_notification(receiver, capsys):
    Channel.objects.create(name="hook", kind="webhook", target=receiver.url, secret=receiver.secret)
    call_command("send_test_notification", "hook")
    assert "delivered" in capsys.readouterr().out
    assert receiver.accepted[0]["body"]["event"] == "test"
    Channel.objects.create(name="gone", kind="slack", target=f"http://127.0.0.1:{closed_port()}/")
    with pytest.raises(CommandError, match="delivery through 'gone' failed"):
        call_command("send_test_notification", "gone")
    with pytest.raises(CommandError, match="no channel named 'nope'"):
        call_command("send_test_notification", "nope")
    assert NotificationDelivery.objects.count() == 2


def test_evaluate_resource_rules(capsys, settings):
    settings.RESOURCE_CPU_SAMPLE_SECONDS = 0.1
    ResourceRule.objects.all().delete()
    ResourceRule.objects.create(key="mem", metric="memory", threshold=100)
    call_command("evaluate_resource_rules")
    line = capsys.readouterr().out.strip()
    assert line.startswith("mem") and line.endswith("ok")
    assert ResourceRule.objects.get().last_evaluated_at is not None


def test_escalate_incidents(capsys):
    call_command("escalate_incidents")
    assert capsys.readouterr().out.strip() == "0 incident(s) escalated"
