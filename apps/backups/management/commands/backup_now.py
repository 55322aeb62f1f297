"""`manage.py backup_now POLICY`: back up a policy in this process, with a progress bar."""

from django.core.management.base import BaseCommand, CommandError

from apps.backups import backup
from apps.backups.errors import AlreadyRunning
from apps.backups.management.commands._common import byte_bar, find_policy
from apps.backups.models import BackupRun


class Command(BaseCommand):
    help = "Back up one policy now (id or name); exit code 1 when the backup fails."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("policy", help="policy id or name")

    def handle(self, *args, **options) -> None:
        policy = find_policy(options["policy"])
        try:
            # The previous file's size makes the bar show a percentage (an estimate).
            total = backup.previous_size(policy.pk)
            with byte_bar(f"backing up {policy.name}", total=total) as progress:
                run = backup.run(policy, trigger=BackupRun.Trigger.COMMAND, progress=progress)
        except AlreadyRunning as exc:
            raise CommandError(exc.message) from None
        if run.status != BackupRun.Status.SUCCEEDED:
            raise CommandError(f"backup run {run.pk} failed: {run.error}")
        self.stdout.write(
            f"backup run {run.pk}: {run.size_bytes} bytes in {run.duration_seconds:.1f} s, "
            f"sha256 {run.sha256}, file {run.file_name}"
        )
