from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.core.errors import PortalError
from apps.jobs import retention
from apps.jobs.models import JobRun


class Command(BaseCommand):
    help = "Delete rows older than their kind's retention days, in short batches."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--dry-run", action="store_true", help="Count only, delete nothing.")
        parser.add_argument("--kind", help="Only this kind (default: every registered kind).")
        parser.add_argument("--batch-size", type=int, help="Rows per transaction.")

    def handle(
        self, *args, dry_run: bool, kind: str | None, batch_size: int | None, **options
    ) -> None:  # noqa: ANN002, ANN003
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        bars: dict[str, tqdm] = {}

        def on_batch(name: str, deleted: int, total: int) -> None:
            bar = bars.get(name)
            if bar is None:
                bar = bars[name] = tqdm(
                    total=total, desc=name, unit="row", disable=None, file=self.stderr._out
                )
            bar.update(deleted - bar.n)

        try:
            run = retention.run(
                trigger=JobRun.Trigger.COMMAND,
                dry_run=dry_run,
                kind=kind,
                batch_size=batch_size,
                echo=self.stdout.write,
                on_batch=on_batch,
            )
        except PortalError as exc:
            raise CommandError(exc.message) from None
        finally:
            for bar in bars.values():
                bar.close()
        verb = "would delete" if dry_run else "deleted"
        amount = run.counts.get("examined" if dry_run else "deleted", 0)
        self.stdout.write(f"retention run #{run.pk} {run.status}: {verb} {amount} rows")
