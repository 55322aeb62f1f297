"""Pause and resume monitors (admin actions, API and commands all call these)."""

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from apps.monitoring import state as sm
from apps.monitoring.models import Monitor, StateChange


def pause(monitors: QuerySet[Monitor], *, now: datetime) -> int:
    """Pause monitors: no probes, no late detection, no effect on uptime. Returns the count."""
    return _set_state(monitors.exclude(state=sm.PAUSED), sm.PAUSED, "paused", now=now)


def resume(monitors: QuerySet[Monitor], *, now: datetime) -> int:
    """Resume paused monitors: PENDING and due at once.

    A resumed heartbeat gets a full period from now before it can be late (late detection
    counts from the later of the last ping and the last state change).
    """
    return _set_state(monitors.filter(state=sm.PAUSED), sm.PENDING, "resumed", now=now)


def _set_state(monitors: QuerySet[Monitor], new: str, reason: str, *, now: datetime) -> int:
    from apps.monitoring.probing import emit_changes

    with transaction.atomic():
        rows = list(monitors.select_for_update().values_list("id", "state"))
        if not rows:
            return 0
        ids = [pk for pk, _ in rows]
        Monitor.objects.filter(pk__in=ids).update(
            state=new,
            state_changed_at=now,
            failure_streak=0,
            success_streak=0,
            next_due_at=None if new == sm.PAUSED else now,
        )
        changes = [
            StateChange(monitor_id=pk, at=now, previous=old, current=new, reason=reason)
            for pk, old in rows
        ]
        from apps.incidents.maintenance import active_service_ids

        emit_changes(changes, now=now, maintenance=active_service_ids(now))
    return len(rows)
