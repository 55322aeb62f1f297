"""Maintenance-window matching: pure functions of values, no database.

A recurring window is a series of occurrences, each starting at a time produced by a cron
expression or an RRULE evaluated in the window's time zone (so "02:00 every Sunday" stays
02:00 local across daylight-saving changes) and lasting `duration` of real (UTC) time.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from dateutil.rrule import rrulestr
from django.db import models


class Recurrence(models.TextChoices):
    NONE = "none", "one-off"
    CRON = "cron", "cron expression"
    RRULE = "rrule", "RRULE (RFC 5545)"


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tz!r}") from exc


def _rrule(expression: str, dtstart: datetime):  # noqa: ANN202
    text = expression.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    return rrulestr(text, dtstart=dtstart)


def validate_recurrence(
    *,
    kind: str,
    expression: str,
    tz: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    duration: timedelta | None,
) -> dict[str, str]:
    """Field name -> message for every problem; empty when the window makes sense."""
    errors: dict[str, str] = {}
    try:
        zone = _zone(tz)
    except ValueError as exc:
        errors["tz"] = str(exc)
        zone = ZoneInfo("UTC")
    if starts_at is None:
        errors["starts_at"] = "a start is required"
    if kind == Recurrence.NONE:
        if ends_at is None:
            errors["ends_at"] = "a one-off window needs an end"
        elif starts_at is not None and ends_at <= starts_at:
            errors["ends_at"] = "the end must be after the start"
        if expression.strip():
            errors["recurrence"] = "a one-off window has no recurrence expression"
        return errors
    if kind not in Recurrence.values:
        errors["recurrence_kind"] = f"choose one of {', '.join(Recurrence.values)}"
        return errors
    if duration is None or duration <= timedelta(0):
        errors["duration"] = "a recurring window needs a positive duration"
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "the end of the series must be after its start"
    if kind == Recurrence.CRON and not croniter.is_valid(expression.strip()):
        errors["recurrence"] = f"not a valid cron expression: {expression!r}"
    if kind == Recurrence.RRULE:
        try:
            _rrule(expression, (starts_at or datetime.now(UTC)).astimezone(zone))
        except (ValueError, TypeError) as exc:
            errors["recurrence"] = f"not a valid RRULE: {exc}"
    return errors


def occurrence_covering(
    now: datetime,
    *,
    kind: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    expression: str = "",
    tz: str = "UTC",
    duration: timedelta | None = None,
) -> tuple[datetime, datetime] | None:
    """The (start, end) of the window's occurrence that contains `now`, or None.

    Intervals are half-open: active from start (inclusive) to end (exclusive).
    """
    if kind == Recurrence.NONE:
        if ends_at is not None and starts_at <= now < ends_at:
            return starts_at, ends_at
        return None
    if duration is None or duration <= timedelta(0) or now < starts_at:
        return None
    zone = _zone(tz)
    # The occurrence containing `now` is the first one starting strictly after now - duration,
    # provided it starts no later than now.
    after = max(now - duration, starts_at - timedelta(microseconds=1))
    if kind == Recurrence.CRON:
        start = _cron_next(expression, after.astimezone(zone))
    else:
        rule = _rrule(expression, starts_at.astimezone(zone))
        start = rule.after(after.astimezone(zone), inc=False)
    if start is None:
        return None
    start = start.astimezone(UTC)
    if start > now or (ends_at is not None and start >= ends_at):
        return None
    return start, start + duration


def _cron_next(expression: str, after: datetime) -> datetime | None:
    # croniter's resolution is a second: step back to the whole second so an occurrence at
    # exactly `after` + a fraction is not skipped, then skip one that is not strictly after.
    base = after.replace(microsecond=0)
    itr = croniter(expression.strip(), base)
    start = itr.get_next(datetime)
    while start <= after:
        start = itr.get_next(datetime)
    return start


def is_active(now: datetime, **window: object) -> bool:
    """Whether a window (the keyword arguments of `occurrence_covering`) covers `now`."""
    return occurrence_covering(now, **window) is not None  # type: ignore[arg-type]
