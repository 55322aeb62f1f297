"""Channels deliver for real: signed webhook, Slack webhook, email; every attempt logged."""

import pytest
from django.core import mail

from apps.incidents.intake import report_problem
from apps.incidents.models import Channel, NotificationDelivery
from apps.incidents.notify import deliver_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_generic_webhook_is_signed_and_carries_the_incident(receiver, make_service):
    api = make_service("api")
    channel = Channel.objects.create(
        name="hook", kind="webhook", target=receiver.url, secret=receiver.secret
    )
    incident = report_problem("monitor:9", "api is down", severity="SEV1", service_ids=[api.id])
    delivery = deliver_once(channel.pk, incident.pk, "opened")
    assert delivery.ok and delivery.status_code == 200 and delivery.error == ""
    [request] = receiver.requests
    assert request["signed"] and receiver.rejected == []
    body = request["body"]
    assert body["event"] == "opened"
    assert body["incident"]["services"] == ["api"] and body["incident"]["severity"] == "SEV1"
    assert body["incident"]["cause"] == "monitor:9"


def test_wrong_secret_is_rejected_and_logged(receiver):
    channel = Channel.objects.create(name="hook", kind="webhook", target=receiver.url, secret="x")
    delivery = deliver_once(channel.pk, None, "test")
    assert not delivery.ok and delivery.status_code == 401
    assert delivery.error.startswith("HTTP 401")
    assert len(receiver.rejected) == 1


def test_unreachable_receiver_is_logged_with_the_error():
    from tests.conftest import closed_port

    url = f"http://127.0.0.1:{closed_port()}/hook"
    channel = Channel.objects.create(name="gone", kind="slack", target=url)
    delivery = deliver_once(channel.pk, None, "test", attempt=3)
    assert not delivery.ok and delivery.status_code is None and delivery.attempt == 3
    assert "refused" in delivery.error.lower()
    assert NotificationDelivery.objects.count() == 1


def test_slack_webhook_gets_plain_text(receiver):
    channel = Channel.objects.create(name="slack", kind="slack", target=receiver.url)
    assert deliver_once(channel.pk, None, "test").ok
    [request] = receiver.requests
    assert not request["signed"]
    assert set(request["body"]) == {"text"} and "Test notification" in request["body"]["text"]


def test_email_channel_uses_djangos_backend(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    incident = report_problem("job:retention", "retention failed twice", severity="SEV3")
    channel = Channel.objects.create(
        name="ops", kind="email", target="a@example.com, b@example.com"
    )
    assert deliver_once(channel.pk, incident.pk, "opened").ok
    [message] = mail.outbox
    assert message.to == ["a@example.com", "b@example.com"]
    assert message.subject == "[SEV3] opened: retention failed twice"
