"""A service's state, derived from its monitors, maintenance and its dependencies.

A service whose dependency is unhealthy shows IMPACTED instead of DOWN (or UP), so one
database outage reads as one cause rather than a storm. Unhealthiness travels along the
dependency graph (a cycle cannot loop: the unhealthy set only grows).
"""

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db import transaction

from apps.monitoring.models import Monitor, Service

S = Service.State
# A stored IMPACTED state (of a service not being recomputed) still spreads to dependents.
UNHEALTHY = {S.DOWN, S.DEGRADED, S.IMPACTED}


def own_state(monitor_states: Iterable[str], in_maintenance: bool) -> str:
    """The service's state from its monitors alone."""
    if in_maintenance:
        return S.MAINTENANCE
    states = [s for s in monitor_states if s != Monitor.State.PAUSED]
    if not states:
        return S.PAUSED if list(monitor_states) else S.PENDING
    down = sum(1 for s in states if s == Monitor.State.DOWN)
    up = sum(1 for s in states if s == Monitor.State.UP)
    if down:
        return S.DOWN if up == 0 else S.DEGRADED
    if up:
        return S.UP
    if Monitor.State.MAINTENANCE in states:
        return S.MAINTENANCE
    return S.PENDING


def service_states(
    own: Mapping[int, str], depends_on: Mapping[int, Iterable[int]]
) -> dict[int, str]:
    """Final states: a service with an unhealthy dependency (at any depth) is IMPACTED."""
    unhealthy = {sid for sid, state in own.items() if state in UNHEALTHY}
    changed = True
    while changed:
        changed = False
        for sid, deps in depends_on.items():
            if sid not in unhealthy and any(d in unhealthy for d in deps):
                unhealthy.add(sid)
                changed = True
    final = dict(own)
    for sid, state in own.items():
        if state in (S.MAINTENANCE, S.PAUSED, S.PENDING):
            continue
        if any(d in unhealthy for d in depends_on.get(sid, ())):
            final[sid] = S.IMPACTED
    return final


def refresh_service_states(
    *, now: datetime, maintenance: set[int] | None = None, service_ids: Iterable[int] | None = None
) -> int:
    """Recompute service states; returns how many changed.

    With `service_ids`, only those services and everything that depends on them (at any
    depth) are recomputed; the others keep their stored state. Four queries either way.
    """
    if maintenance is None:
        from apps.incidents.maintenance import active_service_ids

        maintenance = active_service_ids(now)
    deps: dict[int, list[int]] = {}
    dependents: dict[int, list[int]] = {}
    for sid, dep in Service.depends_on.through.objects.values_list(
        "from_service_id", "to_service_id"
    ):
        deps.setdefault(sid, []).append(dep)
        dependents.setdefault(dep, []).append(sid)
    current = dict(Service.objects.values_list("id", "state"))
    if service_ids is None:
        affected = set(current)
    else:
        affected, todo = set(), list(service_ids)
        while todo:
            sid = todo.pop()
            if sid not in affected:
                affected.add(sid)
                todo.extend(dependents.get(sid, ()))
    by_service: dict[int, list[str]] = {sid: [] for sid in affected}
    monitors = (
        Monitor.objects.all()
        if service_ids is None
        else Monitor.objects.filter(service_id__in=affected)
    )
    for sid, state in monitors.values_list("service_id", "state"):
        by_service[sid].append(state)
    own = {
        sid: own_state(by_service[sid], sid in maintenance) if sid in affected else state
        for sid, state in current.items()
    }
    final = service_states(own, deps)
    changed = [
        Service(id=sid, state=final[sid], state_changed_at=now)
        for sid in affected
        if sid in current and current[sid] != final[sid]
    ]
    with transaction.atomic():
        Service.objects.bulk_update(changed, ["state", "state_changed_at"], batch_size=500)
    return len(changed)
