from django.core.management.base import BaseCommand

from apps.incidents import resources
from apps.incidents.models import ResourceRule


class Command(BaseCommand):
    help = "Sample the host and database once and apply every enabled resource alert rule."

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        resources.evaluate_all()
        for rule in ResourceRule.objects.filter(enabled=True):
            value = "n/a" if rule.last_value is None else f"{rule.last_value:.1f} %"
            state = "breaching" if rule.breaching_since else "ok"
            self.stdout.write(f"{rule.key:<16} {value:>9}  > {rule.threshold:g} %  {state}")
