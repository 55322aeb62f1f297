"""Heartbeat pings and late detection.

A ping is one SQL statement on PostgreSQL: a data-modifying CTE updates the monitor's ping
fields and inserts the ping row, returning what the state machine needs. Only when the ping
changes the monitor's state (a recovery, a failure) does a second, locking transaction run.
The statement commits before the view answers, so an answered ping is durable.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from apps.core.errors import NotFound
from apps.monitoring import state as sm
from apps.monitoring.models import Monitor, Ping, StateChange
from apps.monitoring.schedule import BadSchedule, deadline

BODY_LIMIT = 10_000
# A monitor that is late or whose schedule cannot be computed is looked at again this often.
RECHECK = timedelta(seconds=60)

_PING_SQL = """
WITH o AS (
    SELECT id, state, failure_streak, last_start_at FROM monitoring_monitor
     WHERE ping_key = %(key)s AND kind = 'heartbeat'
), m AS (
    UPDATE monitoring_monitor t SET
        last_ping_at = CASE WHEN %(kind)s = 'start' THEN t.last_ping_at ELSE %(now)s END,
        last_start_at = CASE WHEN %(kind)s = 'start' THEN %(now)s ELSE NULL END,
        last_run_seconds = CASE WHEN %(kind)s <> 'start' AND o.last_start_at IS NOT NULL
            THEN extract(epoch FROM %(now)s - o.last_start_at) ELSE t.last_run_seconds END,
        next_due_at = CASE WHEN %(kind)s <> 'success' OR t.state = 'paused' THEN t.next_due_at
            WHEN t.cron = ''
            THEN %(now)s + make_interval(secs => t.period_seconds + t.grace_seconds)
            ELSE %(now)s END
      FROM o WHERE t.id = o.id
    RETURNING t.id, o.state, o.failure_streak, o.last_start_at
), p AS (
    INSERT INTO monitoring_ping
        (received_at, monitor_id, duration_ms, exit_code, kind, remote_addr, method, body)
    SELECT %(now)s, m.id,
           CASE WHEN %(kind)s <> 'start' AND m.last_start_at IS NOT NULL
                THEN round(extract(epoch FROM %(now)s - m.last_start_at) * 1000) END,
           %(exit_code)s, %(kind)s, %(addr)s, %(method)s, %(body)s
      FROM m
)
SELECT id, state, failure_streak FROM m
"""


@dataclass(frozen=True)
class PingIn:
    key: uuid.UUID
    kind: str  # Ping.Kind
    exit_code: int | None = None
    body: str = ""
    method: str = "GET"
    remote_addr: str | None = None


def parse_signal(signal: str) -> tuple[str, int | None] | None:
    """The ping kind and exit code a URL suffix means, or None when it means nothing."""
    if signal == "":
        return Ping.Kind.SUCCESS, None
    if signal in (Ping.Kind.START, Ping.Kind.FAIL):
        return signal, None
    if signal.isascii() and signal.isdigit() and int(signal) <= 255:
        code = int(signal)
        return (Ping.Kind.SUCCESS if code == 0 else Ping.Kind.FAIL), code
    return None


def handle_ping(
    key: uuid.UUID,
    signal: str,
    *,
    method: str,
    body: bytes,
    remote_addr: str | None,
    now: datetime | None = None,
) -> tuple[int, str]:
    """One ping URL request, whoever serves it (the Django view or the WSGI fast path):
    returns the HTTP status and the plain-text answer."""
    parsed = parse_signal(signal)
    if parsed is None:
        return 400, "unknown signal: use /start, /fail or an exit code 0-255\n"
    kind, exit_code = parsed
    text = body[:BODY_LIMIT].decode("utf-8", "replace")
    try:
        record_ping(
            PingIn(
                key=key,
                kind=kind,
                exit_code=exit_code,
                # PostgreSQL text cannot hold NUL characters.
                body=text.replace("\x00", "\ufffd"),
                method=method,
                remote_addr=remote_addr or None,
            ),
            now=now or timezone.now(),
        )
    except NotFound as exc:
        return 404, f"{exc.message}\n"
    return 200, "OK\n"


def record_ping(ping: PingIn, *, now: datetime) -> int:
    """Store a ping and apply it; returns the monitor id. Unknown keys raise NotFound."""
    body = ping.body[:BODY_LIMIT]
    if connection.vendor == "postgresql":
        params = {
            "key": ping.key, "kind": ping.kind, "now": now, "exit_code": ping.exit_code,
            "addr": ping.remote_addr, "method": ping.method[:7], "body": body,
        }  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(_PING_SQL, params)
            row = cursor.fetchone()
        if row is None:
            raise NotFound("no heartbeat monitor has this ping URL")
        monitor_id, state, failures = row
    else:
        monitor_id, state, failures = _record_ping_orm(ping, body, now)
    quiet = ping.kind == Ping.Kind.START or state == sm.PAUSED
    if not quiet and not (ping.kind == Ping.Kind.SUCCESS and state == sm.UP and failures == 0):
        apply_outcome(monitor_id, ok=ping.kind == Ping.Kind.SUCCESS, reason=_reason(ping), now=now)
    return monitor_id


def _reason(ping: PingIn) -> str:
    if ping.kind == Ping.Kind.SUCCESS:
        return "success ping"
    return f"exit code {ping.exit_code}" if ping.exit_code is not None else "fail ping"


def _record_ping_orm(ping: PingIn, body: str, now: datetime) -> tuple[int, str, int]:
    with transaction.atomic():
        monitor = (
            Monitor.objects.select_for_update()
            .filter(ping_key=ping.key, kind=Monitor.Kind.HEARTBEAT)
            .first()
        )
        if monitor is None:
            raise NotFound("no heartbeat monitor has this ping URL")
        state, failures, started = monitor.state, monitor.failure_streak, monitor.last_start_at
        duration = None
        if ping.kind == Ping.Kind.START:
            monitor.last_start_at = now
        else:
            monitor.last_ping_at = now
            monitor.last_start_at = None
            if started is not None:
                monitor.last_run_seconds = (now - started).total_seconds()
                duration = round(monitor.last_run_seconds * 1000)
        if ping.kind == Ping.Kind.SUCCESS and state != sm.PAUSED:
            monitor.next_due_at = now + timedelta(
                seconds=monitor.period_seconds + monitor.grace_seconds
            ) if not monitor.cron else now  # fmt: skip
        monitor.save(
            update_fields=["last_ping_at", "last_start_at", "last_run_seconds", "next_due_at"]
        )
        Ping.objects.create(
            received_at=now, monitor=monitor, duration_ms=duration, exit_code=ping.exit_code,
            kind=ping.kind, remote_addr=ping.remote_addr, method=ping.method[:7], body=body,
        )  # fmt: skip
    return monitor.id, state, failures


def apply_outcome(monitor_id: int, *, ok: bool, reason: str, now: datetime) -> StateChange | None:
    """Run the state machine on one outcome under a row lock; emit the change if any."""
    from apps.incidents.maintenance import active_service_ids
    from apps.monitoring.probing import emit_changes

    maintenance = active_service_ids(now)
    with transaction.atomic():
        monitor = Monitor.objects.select_for_update().get(pk=monitor_id)
        before = sm.Status(monitor.state, monitor.failure_streak, monitor.success_streak)
        after = sm.next_status(
            before,
            ok,
            failures_before_down=monitor.failures_before_down,
            successes_before_up=monitor.successes_before_up,
            in_maintenance=monitor.service_id in maintenance,
        )
        monitor.state = after.state
        monitor.failure_streak = after.failure_streak
        monitor.success_streak = after.success_streak
        fields = ["state", "failure_streak", "success_streak"]
        change = None
        if after.state != before.state:
            monitor.state_changed_at = now
            fields.append("state_changed_at")
            change = StateChange(
                monitor=monitor, at=now, previous=before.state, current=after.state, reason=reason
            )
        monitor.save(update_fields=fields)
        emit_changes([change] if change else [], now=now, maintenance=maintenance)
    return change


def check_late(*, now: datetime, limit: int = 1000) -> int:
    """Look at heartbeats whose deadline passed: push the deadline on, or mark them late.

    Returns how many went late. Rows are claimed with SKIP LOCKED so two dispatchers share
    the work; a ping arriving meanwhile waits for the lock only on PostgreSQL's side.
    """
    late: list[int] = []
    with transaction.atomic():
        due = list(
            Monitor.objects.select_for_update(skip_locked=connection.vendor == "postgresql")
            .filter(kind=Monitor.Kind.HEARTBEAT, next_due_at__lte=now)
            .exclude(state=Monitor.State.PAUSED)
            .order_by("next_due_at")[:limit]
        )
        for monitor in due:
            anchor = max(
                t for t in (monitor.last_ping_at, monitor.state_changed_at, monitor.created_at) if t
            )
            try:
                expires = deadline(
                    anchor,
                    period_seconds=monitor.period_seconds,
                    cron=monitor.cron,
                    tz=monitor.tz,
                    grace_seconds=monitor.grace_seconds,
                )
            except BadSchedule:
                expires = now - timedelta(seconds=1)
            if expires > now:
                monitor.next_due_at = expires
            else:
                late.append(monitor.id)
                # Once late, nothing changes until a ping comes; look again now and then in
                # case a maintenance window ended meanwhile.
                monitor.next_due_at = now + RECHECK
            Monitor.objects.filter(pk=monitor.pk).update(next_due_at=monitor.next_due_at)
    changed = 0
    for monitor_id in late:
        change = _apply_late(monitor_id, now=now)
        changed += change is not None and change.current == sm.DOWN
    return changed


def _apply_late(monitor_id: int, *, now: datetime) -> StateChange | None:
    monitor = Monitor.objects.only("state").get(pk=monitor_id)
    if monitor.state == sm.DOWN:
        return None
    # Lateness is conclusive: one late deadline is enough for DOWN.
    Monitor.objects.filter(pk=monitor_id).update(
        failure_streak=max(0, Monitor.objects.get(pk=monitor_id).failures_before_down - 1)
    )
    return apply_outcome(monitor_id, ok=False, reason="late: no ping before the deadline", now=now)
