"""Admin: acknowledge / resolve actions, the status field, the test-notification action."""

import pytest
from django.contrib.auth.models import User

from apps.incidents.models import Channel, Incident, NotificationDelivery

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("root", password="x-unused-password-1")
    client.force_login(user)
    return client


def test_acknowledge_and_resolve_actions(admin_client):
    a = Incident.objects.create(title="a", cause="monitor:1")
    b = Incident.objects.create(title="b")
    url = "/admin/incidents/incident/"
    admin_client.post(url, {"action": "acknowledge", "_selected_action": [a.pk, b.pk]})
    a.refresh_from_db()
    assert a.acknowledged_by.username == "root" and a.acknowledged_at is not None
    admin_client.post(url, {"action": "resolve", "_selected_action": [a.pk]})
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == "resolved" and a.resolved_at is not None and b.status == "investigating"
    texts = [t for t in a.updates.values_list("text", flat=True) if t.endswith("by root.")]
    assert texts == ["Acknowledged by root.", "Resolved by root."]
    page = admin_client.get(f"{url}{a.pk}/change/")
    assert page.status_code == 200 and b"Resolved by root." in page.content
    assert admin_client.get(url).status_code == 200


def test_status_changed_in_the_form_goes_through_the_workflow(admin_client):
    incident = Incident.objects.create(title="slow", severity="SEV3")
    form = {
        "title": "slow",
        "severity": "SEV3",
        "status": "resolved",
        "opened_at_0": incident.opened_at.strftime("%Y-%m-%d"),
        "opened_at_1": incident.opened_at.strftime("%H:%M:%S"),
        "postmortem": "cache stampede",
        "updates-TOTAL_FORMS": "1",
        "updates-INITIAL_FORMS": "0",
        "updates-0-at_0": incident.opened_at.strftime("%Y-%m-%d"),
        "updates-0-at_1": incident.opened_at.strftime("%H:%M:%S"),
        "updates-0-status": "",
        "updates-0-text": "found it",
    }
    response = admin_client.post(f"/admin/incidents/incident/{incident.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[-2000:]
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.resolved_at is not None
    assert incident.postmortem == "cache stampede"
    entries = list(incident.updates.values_list("text", "user__username"))
    assert ("found it", "root") in entries and ("Resolved by root.", "root") in entries


def test_send_test_notification_action(admin_client, receiver, eager_tasks):
    channel = Channel.objects.create(
        name="hook", kind="webhook", target=receiver.url, secret=receiver.secret
    )
    admin_client.post(
        "/admin/incidents/channel/",
        {"action": "send_test_notification", "_selected_action": [channel.pk]},
    )
    delivery = NotificationDelivery.objects.get()
    assert delivery.event == "test" and delivery.ok and delivery.status_code == 200
    assert receiver.accepted[0]["body"]["event"] == "test"
    channel.refresh_from_db()
    assert channel.last_tested_at is not None


def test_channel_form_refuses_a_webhook_without_secret(admin_client):
    response = admin_client.post(
        "/admin/incidents/channel/add/",
        {
            "name": "h",
            "kind": "webhook",
            "target": "http://127.0.0.1:1/x",
            "secret": "",
            "enabled": "on",
            "routes-TOTAL_FORMS": "0",
            "routes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and b"needs a secret" in response.content
    assert not Channel.objects.exists()


@pytest.mark.parametrize(
    "model", ["incident", "maintenancewindow", "channel", "notificationdelivery", "resourcerule"]
)
def test_admin_pages_render(admin_client, model):
    assert admin_client.get(f"/admin/incidents/{model}/").status_code == 200
    if model != "notificationdelivery":
        assert admin_client.get(f"/admin/incidents/{model}/add/").status_code == 200
