"""`manage.py restore_check POLICY`: restore-check the newest good backup now."""

from django.core.management.base import BaseCommand, CommandError

from apps.backups.errors import AlreadyRunning
from apps.backups.management.commands._common import byte_bar, find_policy
from apps.backups.models import BackupRun, RestoreCheck
from apps.backups.restore import restore_check


class Command(BaseCommand):
    help = "Restore-check a policy's newest good backup now (exit 1 when the check fails)."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("policy", help="policy id or name")

    def handle(self, *args, **options) -> None:
        policy = find_policy(options["policy"])
        try:
            with byte_bar(f"checking {policy.name}") as progress:
                check = restore_check(policy, trigger=BackupRun.Trigger.COMMAND, progress=progress)
        except AlreadyRunning as exc:
            raise CommandError(exc.message) from None
        if check.status != RestoreCheck.Status.PASSED:
            raise CommandError(f"restore check {check.pk} failed: {check.error}")
        rows = sum(check.tables.values())
        self.stdout.write(
            f"restore check {check.pk} passed: {len(check.tables)} tables, {rows} rows, "
            f"{len(check.assertion_results)} assertions"
        )
