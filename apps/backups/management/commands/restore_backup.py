"""`manage.py restore_backup RUN_ID --into DBNAME --yes-i-know`: restore a backup by hand."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.backups.errors import BackupError
from apps.backups.management.commands._common import byte_bar, find_run
from apps.backups.restore import restore_into


class Command(BaseCommand):
    help = (
        "Restore a backup run into a new database (a file path for SQLite backups). Refuses "
        "an existing target unless --replace-existing, and refuses without --yes-i-know."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("run", help="backup run id")
        parser.add_argument("--into", required=True, help="name of the database to create")
        parser.add_argument("--yes-i-know", action="store_true", help="confirm the restore")
        parser.add_argument(
            "--replace-existing",
            action="store_true",
            help="drop the target database first if it exists",
        )

    def handle(self, *args, **options) -> None:
        run = find_run(options["run"])
        if not options["yes_i_know"]:
            raise CommandError(
                f"restoring run {run.pk} into {options['into']!r} needs --yes-i-know"
            )
        try:
            with (
                byte_bar(f"checking run {run.pk}", total=run.size_bytes) as progress,
                tqdm(desc=f"restoring into {options['into']}", unit="item", leave=False) as bar,
            ):
                tables = restore_into(
                    run,
                    options["into"],
                    replace=options["replace_existing"],
                    progress=progress,
                    on_item=lambda done, total: _advance(bar, done, total),
                )
        except BackupError as exc:
            raise CommandError(exc.message) from None
        rows = sum(tables.values())
        self.stdout.write(
            f"restored run {run.pk} into {options['into']!r}: {len(tables)} tables, {rows} rows"
        )


def _advance(bar: tqdm, done: int, total: int) -> None:
    """pg_restore's items against the archive's table of contents."""
    bar.total = total
    bar.update(done - bar.n)
