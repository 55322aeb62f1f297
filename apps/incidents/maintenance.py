"""Which services are inside a maintenance window right now (the contract other apps use)."""

from datetime import datetime

from django.db.models import F, Q

from apps.incidents.models import MaintenanceWindow
from apps.incidents.windows import Recurrence, occurrence_covering


def active_windows(now: datetime) -> list[MaintenanceWindow]:
    """Windows covering `now`; SQL narrows the candidates, the pure matcher decides."""
    one_off = Q(recurrence_kind=Recurrence.NONE, starts_at__lte=now, ends_at__gt=now)
    # A series can be active shortly after its end: an occurrence started before ends_at
    # runs for its full duration.
    recurring = (
        ~Q(recurrence_kind=Recurrence.NONE)
        & Q(starts_at__lte=now)
        & (Q(ends_at__isnull=True) | Q(ends_at__gt=now - F("duration")))
    )
    candidates = MaintenanceWindow.objects.filter(one_off | recurring)
    return [w for w in candidates if _covers(w, now)]


def _covers(window: MaintenanceWindow, now: datetime) -> bool:
    try:
        return (
            occurrence_covering(
                now,
                kind=window.recurrence_kind,
                starts_at=window.starts_at,
                ends_at=window.ends_at,
                expression=window.recurrence,
                tz=window.tz,
                duration=window.duration,
            )
            is not None
        )
    except (ValueError, TypeError, KeyError):
        # A window saved with a broken expression (e.g. through a raw SQL edit) suppresses
        # nothing rather than breaking every probe.
        return False


def active_service_ids(now: datetime) -> set[int]:
    """Ids of services inside a maintenance window at `now`."""
    ids = [w.id for w in active_windows(now)]
    if not ids:
        return set()
    through = MaintenanceWindow.services.through
    return set(
        through.objects.filter(maintenancewindow_id__in=ids).values_list("service_id", flat=True)
    )


def in_maintenance(service_ids: set[int], now: datetime) -> set[int]:
    """The subset of `service_ids` under maintenance at `now`."""
    return set(service_ids) & active_service_ids(now) if service_ids else set()
