"""Monitor state changes feed the intake: DOWN opens the incident, UP (or paused) resolves it."""

import logging
from datetime import datetime

from django.conf import settings
from django.dispatch import receiver

from apps.incidents.intake import report_problem, report_recovery
from apps.monitoring.signals import monitor_state_changed

log = logging.getLogger(__name__)


def monitor_cause(monitor_id: int) -> str:
    return f"monitor:{monitor_id}"


@receiver(monitor_state_changed, dispatch_uid="incidents.monitor_state_changed")
def on_monitor_state_changed(
    sender: object,
    monitor: object,
    previous: str,
    current: str,
    at: datetime,
    reason: str = "",
    **kwargs: object,
) -> None:
    try:
        _apply(monitor, previous, current, at, reason)
    except Exception:
        # The signal is sent inside the probe loop: a failure here must not stop probing.
        log.exception("could not update the incident of monitor %s", monitor.pk)


def report_down(monitor: object, at: datetime, reason: str) -> None:
    """Report a monitor that is (still) DOWN, as its transition to DOWN does."""
    _apply(monitor, "down", "down", at, reason)


def _apply(monitor: object, previous: str, current: str, at: datetime, reason: str) -> None:
    cause = monitor_cause(monitor.pk)
    if current == "down":
        late = reason.startswith("late")
        title = f"{monitor} is late" if late else f"{monitor} is down"
        report_problem(
            cause,
            title,
            severity=settings.INCIDENTS_MONITOR_SEVERITY,
            service_ids=[monitor.service_id],
            detail=reason,
            now=at,
        )
    elif previous == "down" and current in ("up", "paused"):
        detail = "Monitor is up again." if current == "up" else "Monitor was paused."
        report_recovery(cause, detail=detail, now=at)
