"""Helpers shared by the backup commands."""

from contextlib import contextmanager

from django.core.management.base import CommandError
from tqdm import tqdm

from apps.backups.models import BackupPolicy, BackupRun


def find_policy(ref: str) -> BackupPolicy:
    policies = BackupPolicy.objects.select_related("service")
    policy = policies.filter(pk=int(ref)).first() if ref.isdigit() else None
    policy = policy or policies.filter(name=ref).first()
    if policy is None:
        raise CommandError(f"no backup policy with id or name {ref!r} (see list_backups)")
    return policy


def find_run(ref: str) -> BackupRun:
    run = (
        BackupRun.objects.select_related("policy").filter(pk=int(ref)).first()
        if ref.isdigit()
        else None
    )
    if run is None:
        raise CommandError(f"no backup run {ref!r} (see list_backups)")
    return run


@contextmanager
def byte_bar(desc: str, total: int | None = None, stream=None):  # noqa: ANN001, ANN201
    with tqdm(total=total, desc=desc, unit="B", unit_scale=True, file=stream, leave=False) as bar:
        yield bar.update
