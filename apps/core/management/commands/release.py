"""`manage.py release`: the once-per-deploy step (migrate, first admin, first-start hooks)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from apps.core.bootstrap import run_first_start_hooks


class Command(BaseCommand):
    help = (
        "Run once per deploy before web, worker and beat start: apply migrations, create the "
        "first admin when there is none and run the first-start hooks. Idempotent."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument(
            "--collectstatic", action="store_true", help="also collect static files"
        )

    def handle(self, *args: object, collectstatic: bool, **options: object) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        call_command("ensure_admin", stdout=self.stdout)
        if collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        run_first_start_hooks(stdout=self.stdout)
