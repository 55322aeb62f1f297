from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.routines.checklists import run_routines


class Command(BaseCommand):
    help = (
        "Open the current occurrence of every active checklist, tick the items the portal can "
        "prove, complete finished ones and report overdue ones (what beat runs every 5 minutes)."
    )

    def handle(self, *args: object, **options: object) -> None:
        report = run_routines(now=timezone.now())
        for name in report.opened:
            self.stdout.write(f"opened {name}")
        for name in report.overdue:
            self.stdout.write(f"overdue {name}")
        self.stdout.write(str(report))
