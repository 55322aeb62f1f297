import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from apps.routines import moving


class Command(BaseCommand):
    help = (
        "Copy every row of the embedded SQLite database into an empty PostgreSQL database that "
        "was migrated with this version (DATABASE_URL=<url> manage.py migrate). The SQLite "
        "file is only read. Exits 1 with a sentence when the target is not empty or not ready."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("database_url", help="postgres://user:password@host:5432/name")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: object, **options: object) -> None:
        try:
            moving.add_target(options["database_url"])
            moving.check_source()
            moving.check_target()
            total = sum(moving.count_rows(m, "default") for m in moving.copied_models())
            with tqdm(
                total=total, unit="row", disable=options["no_progress"], file=sys.stderr
            ) as bar:

                def progress(table: str, rows: int) -> None:
                    bar.set_description(table[:30])
                    bar.update(rows)

                counts = moving.move(progress=progress)
        except moving.MoveError as exc:
            raise CommandError(exc.message) from exc
        width = max(len(c.table) for c in counts)
        for count in counts:
            self.stdout.write(f"{count.table:<{width}}  {count.source:>9}  {count.target:>9}  ok")
        rows = sum(c.source for c in counts)
        self.stdout.write(
            self.style.SUCCESS(
                f"Moved {rows} rows in {len(counts)} tables; every count matches. Point "
                "DATABASE_URL at the new database and restart the portal."
            )
        )
