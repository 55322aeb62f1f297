"""Uptime per service over arbitrary spans (days of a bar chart, a calendar month).

Uses the same time-weighted definition as apps.monitoring.reports (UP seconds over UP + DOWN
seconds from state changes), so a bar and the headline number never disagree. Two queries
whatever the number of services, monitors or spans.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from apps.monitoring.models import Monitor, StateChange
from apps.monitoring.stats import state_seconds, uptime_ratio


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime
    seconds: dict[str, float]

    @property
    def uptime(self) -> float | None:
        return uptime_ratio(self.seconds)

    @property
    def day(self) -> date:
        return self.start.date()


def day_spans(days: int, *, now: datetime) -> list[tuple[datetime, datetime]]:
    """The last `days` UTC days, the newest (today, up to `now`) last."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    starts = [today - timedelta(days=back) for back in range(days - 1, -1, -1)]
    return [(start, min(start + timedelta(days=1), now)) for start in starts]


def service_spans(
    service_ids: list[int], spans: list[tuple[datetime, datetime]]
) -> dict[int, list[Span]]:
    """Seconds per state of each service's monitors (summed) for each span."""
    out = {sid: [Span(s, e, {}) for s, e in spans] for sid in service_ids}
    if not spans or not service_ids:
        return out
    oldest = min(s for s, _ in spans)
    monitors = list(
        Monitor.objects.filter(service_id__in=service_ids).values_list(
            "id", "service_id", "state", "created_at"
        )
    )
    changes: dict[int, list[tuple[datetime, str, str]]] = {m[0]: [] for m in monitors}
    for mid, at, previous, current in (
        StateChange.objects.filter(monitor_id__in=list(changes), at__gt=oldest)
        .order_by("at", "id")
        .values_list("monitor_id", "at", "previous", "current")
    ):
        changes[mid].append((at, previous, current))
    for mid, sid, state, created_at in monitors:
        rows = changes[mid]
        # The state in force before the first change in range is that change's "previous".
        initial = rows[0][1] if rows else state
        pairs = [(at, current) for at, _previous, current in rows]
        for span in out[sid]:
            start = max(span.start, created_at)
            if start >= span.end:
                continue
            for name, value in state_seconds(pairs, initial, start, span.end).items():
                span.seconds[name] = span.seconds.get(name, 0.0) + value
    return out
