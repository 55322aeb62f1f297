"""Which period of a recurring checklist an instant falls in: a pure function of its inputs.

A recurrence is a cron expression read in wall-clock time of a time zone ("daily" is
`0 0 * * *`, midnight to midnight where the team lives). A period runs from one firing to
the next. Wall-clock times are turned into instants by a non-decreasing map (an ambiguous
time takes its first occurrence, a time skipped by a DST jump takes the instant of the jump),
so periods are contiguous, never overlap and each instant is in exactly one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from croniter import croniter

DAILY = "daily"
WEEKLY = "weekly"
MONTHLY = "monthly"
CRON = "cron"

RECURRENCE_CRON = {DAILY: "0 0 * * *", WEEKLY: "0 0 * * 1", MONTHLY: "0 0 1 * *"}
MINUTE = timedelta(minutes=1)


class RecurrenceError(ValueError):
    """A recurrence that cannot be computed (unknown kind, bad cron expression, bad zone)."""


@dataclass(frozen=True)
class Period:
    key: str  # stable name of the period, unique per checklist ("2026-03-14", "2026-W11")
    start: datetime  # aware UTC, inclusive
    end: datetime  # aware UTC, exclusive; the occurrence is due then


def cron_for(recurrence: str, cron_expression: str = "") -> str:
    if recurrence in RECURRENCE_CRON:
        return RECURRENCE_CRON[recurrence]
    if recurrence != CRON:
        raise RecurrenceError(f"unknown recurrence {recurrence!r}")
    expression = " ".join(cron_expression.split())
    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        raise RecurrenceError(
            f"{cron_expression!r} is not a five-field cron expression (minute hour day month "
            "weekday), e.g. '0 9 * * 1-5'"
        )
    return expression


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RecurrenceError(f"unknown time zone {name!r} (use e.g. 'America/Sao_Paulo')") from exc


def valid_zone_names() -> set[str]:
    return available_timezones()


def wall_to_instant(wall: datetime, tz: ZoneInfo) -> datetime:
    """The first instant whose local time in `tz` is at or after the naive `wall` time."""
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first  # exists (for an ambiguous time, fold=0 is its first occurrence)
    # Skipped by a DST jump: bisect (to the second) for the jump between the two readings.
    low = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    high = first
    if low > high:
        low, high = high, low
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def period_key(recurrence: str, wall_start: datetime) -> str:
    if recurrence == DAILY:
        return wall_start.date().isoformat()
    if recurrence == WEEKLY:
        year, week, _ = wall_start.isocalendar()
        return f"{year}-W{week:02d}"
    if recurrence == MONTHLY:
        return wall_start.strftime("%Y-%m")
    return wall_start.strftime("%Y-%m-%dT%H:%M")


def period_at(
    now: datetime, *, recurrence: str, time_zone: str, cron_expression: str = ""
) -> Period:
    """The period that contains the aware instant `now`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    tz = zone(time_zone)
    expression = cron_for(recurrence, cron_expression)
    now = now.astimezone(UTC)
    wall_now = now.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
    # croniter works on naive wall-clock times here, so DST never shifts its arithmetic.
    previous = croniter(expression, wall_now + MINUTE).get_prev(datetime)
    following = croniter(expression, previous).get_next(datetime)
    # In a repeated hour (DST end) or after a skipped one, firings whose instant is already
    # past are part of the period that started earlier: step forward until `now` is inside.
    while wall_to_instant(following, tz) <= now:
        previous = following
        following = croniter(expression, previous).get_next(datetime)
    return Period(
        key=period_key(recurrence, previous),
        start=wall_to_instant(previous, tz),
        end=wall_to_instant(following, tz),
    )
