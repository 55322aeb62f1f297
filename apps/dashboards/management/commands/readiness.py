"""Print the production-readiness checklist; exit 1 when an item fails (for CI and deploys)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.dashboards.readiness import checklist


class Command(BaseCommand):
    help = "Print the production-readiness checklist; exits 1 when an item fails."

    def handle(self, *args: object, **options: object) -> None:
        items = checklist(now=timezone.now())
        for item in items:
            mark = self.style.SUCCESS("[PASS]") if item.ok else self.style.ERROR("[FAIL]")
            self.stdout.write(f"{mark} {item.title}: {item.detail}")
            if not item.ok:
                self.stdout.write(f"       fix: {item.fix} ({item.fix_url})")
        failing = sum(1 for item in items if not item.ok)
        if failing:
            raise CommandError(f"{failing} of {len(items)} readiness items fail.")
        self.stdout.write(self.style.SUCCESS(f"All {len(items)} readiness items pass."))
