"""When a heartbeat is expected: pure functions over the monitor's period or cron expression."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadCronError, croniter


class BadSchedule(ValueError):
    """The cron expression or time zone cannot be used; the message says why."""


def validate_schedule(cron: str, tz: str) -> None:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadSchedule(f"unknown time zone {tz!r}") from None
    if cron and not croniter.is_valid(cron):
        raise BadSchedule(f"{cron!r} is not a valid cron expression")


def next_expected(
    after: datetime, *, period_seconds: int, cron: str = "", tz: str = "UTC"
) -> datetime:
    """The next time a ping is expected after one received at `after`."""
    if not cron:
        return after + timedelta(seconds=period_seconds)
    try:
        local = after.astimezone(ZoneInfo(tz))
        return croniter(cron, local).get_next(datetime).astimezone(after.tzinfo)
    except (CroniterBadCronError, ZoneInfoNotFoundError, ValueError, KeyError) as exc:
        raise BadSchedule(str(exc)) from None


def deadline(
    last_ping_at: datetime, *, period_seconds: int, cron: str, tz: str, grace_seconds: int
) -> datetime:
    """When the heartbeat becomes late: the next expected ping plus the grace time."""
    expected = next_expected(last_ping_at, period_seconds=period_seconds, cron=cron, tz=tz)
    return expected + timedelta(seconds=grace_seconds)
