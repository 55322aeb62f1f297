"""`manage.py list_backups [POLICY]`: the runs of one policy or all, newest first."""

from django.core.management.base import BaseCommand

from apps.backups.management.commands._common import find_policy
from apps.backups.models import BackupRun


class Command(BaseCommand):
    help = "List backup runs (newest first), optionally of one policy."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("policy", nargs="?", help="policy id or name")
        parser.add_argument("--limit", type=int, default=50)

    def handle(self, *args, **options) -> None:
        runs = BackupRun.objects.select_related("policy")
        if options["policy"]:
            runs = runs.filter(policy=find_policy(options["policy"]))
        self.stdout.write(
            f"{'run':>6}  {'policy':<20} {'status':<10} {'finished (UTC)':<20} "
            f"{'size':>12}  file / error"
        )
        for run in runs[: options["limit"]]:
            finished = f"{run.finished_at:%Y-%m-%d %H:%M:%S}" if run.finished_at else "-"
            status = "pruned" if run.pruned_at else run.status
            detail = run.error if run.status == BackupRun.Status.FAILED else run.file_name
            if run.storage != "local" and detail == run.file_name:
                detail = f"{run.storage}: {detail}"
            size = run.size_bytes if run.size_bytes is not None else "-"
            self.stdout.write(
                f"{run.pk:>6}  {run.policy.name[:20]:<20} {status:<10} {finished:<20} "
                f"{size:>12}  {detail}"
            )
