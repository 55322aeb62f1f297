from django.core.management.base import BaseCommand, CommandError

from apps.incidents.models import Channel, NotificationDelivery
from apps.incidents.notify import deliver_once


class Command(BaseCommand):
    help = "Send a test notification through a channel now (in this process) and show the outcome."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("channel", help="Name of the notification channel.")

    def handle(self, *args, channel: str, **options) -> None:  # noqa: ANN002, ANN003
        row = Channel.objects.filter(name=channel).first()
        if row is None:
            known = ", ".join(Channel.objects.values_list("name", flat=True)) or "none"
            raise CommandError(f"no channel named {channel!r} (known: {known})")
        delivery = deliver_once(row.pk, None, NotificationDelivery.Event.TEST)
        if not delivery.ok:
            raise CommandError(f"delivery through {channel!r} failed: {delivery.error}")
        self.stdout.write(f"test notification delivered through {channel!r}")
