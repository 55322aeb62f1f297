"""Every DOWN monitor is covered by an open incident: its own, or a root cause's it was folded
into. A sweep (beat, every minute) reports the ones that are not.

That happens when a root cause recovers while a dependent keeps failing (its failure was merged
into the root's incident, and a monitor that stays DOWN sends no new transition), or when the
signal that should have opened the incident failed. The sweep waits two probe intervals after
the covering incident resolved, so dependents that recover with their root make no noise.
"""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from apps.incidents.models import Incident
from apps.incidents.receivers import monitor_cause, report_down
from apps.monitoring.models import Monitor


def uncovered(now: datetime) -> list[tuple[Monitor, str]]:
    """DOWN monitors with no open incident for their cause or their service, past the grace."""
    found = []
    for monitor in Monitor.objects.filter(state=Monitor.State.DOWN).select_related("service"):
        open_ = Incident.objects.open().filter(
            Q(cause=monitor_cause(monitor.pk)) | Q(services=monitor.service_id)
        )
        if open_.exists():
            continue
        last = (
            Incident.objects.filter(
                Q(cause=monitor_cause(monitor.pk)) | Q(services=monitor.service_id),
                resolved_at__isnull=False,
            )
            .order_by("-resolved_at")
            .values("pk", "resolved_at")
            .first()
        )
        grace = timedelta(seconds=2 * monitor.interval_seconds)
        if last and now - last["resolved_at"] < grace:
            continue  # give it two probes to recover along with its root
        since = f"#{last['pk']} was resolved" if last else "it went down"
        reason = monitor.last_error or "down"
        found.append((monitor, f"{reason} (still failing after {since})"))
    return found


def reconcile(now: datetime | None = None) -> int:
    """Report every uncovered DOWN monitor; returns how many were reported."""
    now = now or timezone.now()
    pending = uncovered(now)
    for monitor, reason in pending:
        report_down(monitor, now, reason)
    return len(pending)
