from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.core.errors import PortalError
from apps.jobs import maintenance
from apps.jobs.models import JobRun


class Command(BaseCommand):
    help = "Clear expired sessions, delete stale files, refresh rollups, VACUUM ANALYZE."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing.")

    def handle(self, *args, dry_run: bool, **options) -> None:  # noqa: ANN002, ANN003
        bar = tqdm(
            total=len(maintenance.STEPS),
            desc="maintenance",
            unit="step",
            disable=None,
            file=self.stderr._out,
        )
        try:
            run = maintenance.run(
                trigger=JobRun.Trigger.COMMAND,
                dry_run=dry_run,
                echo=bar.write,
                on_step=lambda name: bar.update(1),
            )
        except PortalError as exc:
            raise CommandError(exc.message) from None
        finally:
            bar.close()
        counts = ", ".join(f"{k}={v}" for k, v in sorted(run.counts.items())) or "nothing to do"
        prefix = "dry run: " if dry_run else ""
        self.stdout.write(f"{prefix}maintenance run #{run.pk} {run.status}: {counts}")
