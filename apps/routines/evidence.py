"""What the portal can prove by itself: a small registry of evidence providers.

A provider is `provider(now, since) -> Evidence | None`: it looks at the rows (or the host)
for proof that something happened in the period `[since, now]` and returns the proof, or None.
It writes nothing, so a checklist item can be re-evaluated any number of times.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import psutil
from django.apps import apps
from django.conf import settings
from django.db import models


@dataclass(frozen=True)
class Evidence:
    summary: str  # a sentence shown next to the tick
    url: str = ""  # where the proof can be seen (an admin page)
    obj: models.Model | None = None  # the row that proves it, linked from the tick


Provider = Callable[[datetime, datetime], Evidence | None]


@dataclass(frozen=True)
class Registered:
    key: str
    label: str
    func: Provider


PROVIDERS: dict[str, Registered] = {}


def evidence_provider(key: str, label: str) -> Callable[[Provider], Provider]:
    """Register `func(now, since)` under `key` (the value a checklist item's evidence takes)."""

    def register(func: Provider) -> Provider:
        PROVIDERS[key] = Registered(key, label, func)
        return func

    return register


def choices() -> list[tuple[str, str]]:
    return [("", "none: a person ticks it")] + [(k, r.label) for k, r in sorted(PROVIDERS.items())]


def prove(key: str, *, now: datetime, since: datetime) -> Evidence | None:
    registered = PROVIDERS.get(key)
    return registered.func(now, since) if registered else None


def admin_url(obj: models.Model) -> str:
    meta = obj._meta
    return f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/"


def _model(label: str) -> type[models.Model] | None:
    # The backups and incidents apps may be absent from a trimmed install: then no proof.
    try:
        return apps.get_model(label)
    except LookupError:
        return None


@evidence_provider("backup_ran", "a backup succeeded in the period")
def backup_ran(now: datetime, since: datetime) -> Evidence | None:
    BackupRun = _model("backups.BackupRun")
    if BackupRun is None:
        return None
    run = (
        BackupRun.objects.filter(status="succeeded", finished_at__gte=since, finished_at__lte=now)
        .select_related("policy")
        .order_by("-finished_at")
        .first()
    )
    if run is None:
        return None
    size = f", {run.size_bytes} bytes" if run.size_bytes is not None else ""
    summary = f"backup {run.policy} #{run.pk} succeeded at {run.finished_at:%Y-%m-%d %H:%M} UTC"
    return Evidence(summary + size, admin_url(run), run)


@evidence_provider("restore_check_passed", "a restore check passed in the period")
def restore_check_passed(now: datetime, since: datetime) -> Evidence | None:
    RestoreCheck = _model("backups.RestoreCheck")
    if RestoreCheck is None:
        return None
    check = (
        RestoreCheck.objects.filter(status="passed", finished_at__gte=since, finished_at__lte=now)
        .select_related("policy")
        .order_by("-finished_at")
        .first()
    )
    if check is None:
        return None
    tables = len(check.tables or {})
    summary = (
        f"restore check of {check.policy} #{check.pk} passed at "
        f"{check.finished_at:%Y-%m-%d %H:%M} UTC ({tables} tables)"
    )
    return Evidence(summary, admin_url(check), check)


def disk_used_percent(path: str) -> float:
    return psutil.disk_usage(path).percent


@evidence_provider("disk_below_threshold", "disk use is below the routines threshold")
def disk_below_threshold(now: datetime, since: datetime) -> Evidence | None:
    path = str(settings.ROUTINES_DISK_PATH or settings.VAR_DIR)
    used = disk_used_percent(path)
    limit = settings.ROUTINES_DISK_MAX_PERCENT
    if used >= limit:
        return None
    return Evidence(f"disk at {path} {used:.1f}% used (< {limit:g}%) at {now:%Y-%m-%d %H:%M} UTC")


@evidence_provider("no_open_sev1", "no SEV1 incident is open")
def no_open_sev1(now: datetime, since: datetime) -> Evidence | None:
    Incident = _model("incidents.Incident")
    if Incident is None:
        return None
    if Incident.objects.exclude(status="resolved").filter(severity="SEV1").exists():
        return None
    return Evidence(
        f"no open SEV1 incident at {now:%Y-%m-%d %H:%M} UTC", "/admin/incidents/incident/"
    )
