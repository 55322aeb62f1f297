from django.core.management.base import BaseCommand

from apps.incidents.notify import escalate_due


class Command(BaseCommand):
    help = "Re-notify open, unacknowledged incidents whose escalation period has passed."

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        due = escalate_due()
        self.stdout.write(f"{len(due)} incident(s) escalated")
