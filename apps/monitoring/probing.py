"""Probing at scale: claim due monitors, probe them concurrently, store the outcomes in bulk.

Claiming moves `next_due_at` one interval on in the same statement that locks the rows
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, one IMMEDIATE transaction on SQLite), so a second
worker never sees the same due time again: each due time is probed at most once.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.monitoring import state as sm
from apps.monitoring.models import Monitor, ProbeResult, StateChange
from apps.monitoring.probes import MonitorSpec, Outcome, probe_many

PROBED_KINDS = ("http", "tcp", "postgres", "redis")
_SPEC_COLUMNS = ", ".join(f"m.{name}" for name in MonitorSpec.FIELDS)

_CLAIM_SQL = f"""
UPDATE monitoring_monitor m
   SET next_due_at = CASE
         WHEN d.due + make_interval(secs => m.interval_seconds) > %(now)s
         THEN d.due + make_interval(secs => m.interval_seconds)
         ELSE %(now)s + make_interval(secs => m.interval_seconds) END
  FROM (SELECT id, next_due_at AS due FROM monitoring_monitor
         WHERE next_due_at <= %(now)s AND kind <> 'heartbeat' AND state <> 'paused'
         ORDER BY next_due_at LIMIT %(limit)s
         FOR UPDATE SKIP LOCKED) d
 WHERE m.id = d.id
RETURNING {_SPEC_COLUMNS}, d.due
"""


def claim_due(*, now: datetime, limit: int) -> list[tuple[MonitorSpec, datetime]]:
    """Take up to `limit` due probe monitors and move each one's due time on."""
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_CLAIM_SQL, {"now": now, "limit": limit})
            rows = cursor.fetchall()
        return [(_spec(row[:-1]), row[-1]) for row in rows]
    with transaction.atomic():  # SQLite: IMMEDIATE transactions serialise the claim
        due = list(
            Monitor.objects.filter(next_due_at__lte=now, kind__in=PROBED_KINDS)
            .exclude(state=Monitor.State.PAUSED)
            .order_by("next_due_at")
            .values_list(*MonitorSpec.FIELDS, "next_due_at", "interval_seconds")[:limit]
        )
        for row in due:
            due_at, interval = row[-2], timedelta(seconds=row[-1])
            following = due_at + interval if due_at + interval > now else now + interval
            Monitor.objects.filter(pk=row[0], next_due_at=due_at).update(next_due_at=following)
    return [(_spec(row[:-2]), row[-2]) for row in due]


def count_due(*, now: datetime) -> int:
    """How many probe monitors are due (the dispatcher sizes its fan-out with this)."""
    return (
        Monitor.objects.filter(next_due_at__lte=now, kind__in=PROBED_KINDS)
        .exclude(state=Monitor.State.PAUSED)
        .count()
    )


def _spec(row: Sequence) -> MonitorSpec:
    values = dict(zip(MonitorSpec.FIELDS, row, strict=True))
    if isinstance(values["headers"], str):  # raw SQL returns jsonb as text
        values["headers"] = json.loads(values["headers"])
    return MonitorSpec(**values)


def spec_of(monitor: Monitor) -> MonitorSpec:
    return MonitorSpec(**{name: getattr(monitor, name) for name in MonitorSpec.FIELDS})


def run_due(*, now: datetime | None = None, limit: int | None = None) -> int:
    """Claim one batch of monitors due before the next dispatch, probe each at its due time.

    Looking one dispatch period ahead means a monitor waits for its own due time, not for
    the next dispatcher tick: scheduling lag stays well under a second.
    """
    horizon = (now or timezone.now()) + timedelta(seconds=settings.MONITORING_DISPATCH_SECONDS)
    claimed = claim_due(now=horizon, limit=limit or settings.MONITORING_BATCH_SIZE)
    if not claimed:
        return 0
    outcomes = probe_many(
        (spec for spec, _due in claimed), not_before={spec.id: due for spec, due in claimed}
    )
    record_outcomes(outcomes, now=timezone.now())
    return len(outcomes)


def probe_now(
    monitors: Iterable[Monitor], *, clock: Callable[[], datetime] = timezone.now
) -> list[Outcome]:
    """Probe these monitors at once (admin action, API, command) and store the outcomes."""
    specs = [spec_of(m) for m in monitors if m.kind in PROBED_KINDS]
    outcomes = probe_many(specs, clock)
    record_outcomes(outcomes, now=clock())
    return outcomes


def record_outcomes(outcomes: Sequence[Outcome], *, now: datetime) -> list[StateChange]:
    """Store results, advance each monitor's state machine, emit state changes."""
    if not outcomes:
        return []
    from apps.incidents.maintenance import active_service_ids

    maintenance = active_service_ids(now)
    ids = [o.monitor_id for o in outcomes]
    with transaction.atomic():
        current = {
            row[0]: row
            for row in Monitor.objects.filter(pk__in=ids).values_list(
                "id", "service_id", "state", "failure_streak", "success_streak",
                "failures_before_down", "successes_before_up",
            )
        }  # fmt: skip
        results, updates, changes = [], [], []
        for out in outcomes:
            row = current.get(out.monitor_id)
            if row is None:  # deleted while it was being probed
                continue
            _id, service_id, state, failures, successes, fbd, sbu = row
            before = sm.Status(state, failures, successes)
            after = sm.next_status(
                before,
                out.ok,
                failures_before_down=fbd,
                successes_before_up=sbu,
                in_maintenance=service_id in maintenance,
            )
            current[out.monitor_id] = (_id, service_id, *_as_row(after), fbd, sbu)
            results.append(
                ProbeResult(
                    monitor_id=out.monitor_id,
                    checked_at=out.checked_at,
                    ok=out.ok,
                    latency_ms=out.latency_ms,
                    status_code=out.status_code,
                    error=out.error,
                )
            )
            updates.append((out, after, after.state != before.state))
            if after.state != before.state:
                changes.append(
                    StateChange(
                        monitor_id=out.monitor_id,
                        at=out.checked_at,
                        previous=before.state,
                        current=after.state,
                        reason=out.error or ("recovered" if out.ok else ""),
                    )
                )
        ProbeResult.objects.bulk_create(results, batch_size=1000)
        _update_monitors(updates)
        emit_changes(changes, now=now, maintenance=maintenance)
    return changes


def _as_row(status: sm.Status) -> tuple[str, int, int]:
    return status.state, status.failure_streak, status.success_streak


def _update_monitors(updates: list[tuple[Outcome, sm.Status, bool]]) -> None:
    rows = [
        Monitor(
            id=out.monitor_id,
            state=after.state,
            failure_streak=after.failure_streak,
            success_streak=after.success_streak,
            last_checked_at=out.checked_at,
            last_latency_ms=out.latency_ms,
            last_error=out.error,
            tls_expires_at=out.tls_expires_at,
        )
        for out, after, _changed in updates
    ]
    if connection.vendor == "postgresql":
        _update_monitors_pg(rows)
        return
    Monitor.objects.bulk_update(
        rows,
        ["state", "failure_streak", "success_streak", "last_checked_at", "last_latency_ms",
         "last_error", "tls_expires_at"],
        batch_size=200,
    )  # fmt: skip
    changed = [Monitor(id=o.monitor_id, state_changed_at=o.checked_at) for o, _a, c in updates if c]
    Monitor.objects.bulk_update(changed, ["state_changed_at"], batch_size=200)


_VALUES_ROW = (
    "(%s::int, %s::text, %s::int, %s::int, %s::timestamptz, %s::int, %s::text, %s::timestamptz)"
)


def _update_monitors_pg(rows: list[Monitor]) -> None:
    # One UPDATE ... FROM (VALUES ...) instead of Django's CASE per column: far less SQL.
    values = ", ".join([_VALUES_ROW] * len(rows))
    params: list = []
    for m in rows:
        params += [m.id, m.state, m.failure_streak, m.success_streak, m.last_checked_at,
                   m.last_latency_ms, m.last_error, m.tls_expires_at]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE monitoring_monitor m
               SET state_changed_at = CASE WHEN m.state <> v.state THEN v.checked
                                           ELSE m.state_changed_at END,
                   state = v.state, failure_streak = v.failures, success_streak = v.successes,
                   last_checked_at = v.checked, last_latency_ms = v.latency,
                   last_error = v.error,
                   tls_expires_at = COALESCE(v.tls, m.tls_expires_at)
              FROM (VALUES {values})
                AS v(id, state, failures, successes, checked, latency, error, tls)
             WHERE m.id = v.id
            """,  # noqa: S608 - only placeholders are interpolated
            params,
        )


def emit_changes(changes: list[StateChange], *, now: datetime, maintenance: set[int]) -> None:
    """Store state changes, refresh service states, and signal after commit."""
    if not changes:
        return
    from apps.monitoring.services import refresh_service_states
    from apps.monitoring.signals import monitor_state_changed

    StateChange.objects.bulk_create(changes)
    monitors = Monitor.objects.select_related("service").in_bulk([c.monitor_id for c in changes])
    refresh_service_states(
        now=now, maintenance=maintenance, service_ids={m.service_id for m in monitors.values()}
    )

    def send() -> None:
        for change in changes:
            monitor_state_changed.send(
                sender=Monitor,
                monitor=monitors[change.monitor_id],
                previous=change.previous,
                current=change.current,
                at=change.at,
                reason=change.reason,
            )

    transaction.on_commit(send)
