"""`manage.py verify_backup RUN_ID`: re-read a stored backup and compare its SHA-256."""

from django.core.management.base import BaseCommand, CommandError

from apps.backups import backup
from apps.backups.errors import BackupError
from apps.backups.management.commands._common import byte_bar, find_run


class Command(BaseCommand):
    help = "Verify a backup run's stored file against its recorded SHA-256 (exit 1 on mismatch)."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("run", help="backup run id")

    def handle(self, *args, **options) -> None:
        run = find_run(options["run"])
        try:
            with byte_bar(f"verifying run {run.pk}", total=run.size_bytes) as progress:
                ok = backup.verify(run, progress=progress)
        except BackupError as exc:
            raise CommandError(exc.message) from None
        if not ok:
            raise CommandError(
                f"backup run {run.pk} is damaged or missing: its SHA-256 does not match"
            )
        self.stdout.write(f"backup run {run.pk} is intact (sha256 {run.sha256})")
