"""Checklist periods across recurrences and time zones (pure function, controlled time)."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.routines.periods import RecurrenceError, period_at, wall_to_instant, zone

ZONES = [
    "UTC",
    "America/Sao_Paulo",  # DST at midnight until 2019: a skipped local midnight
    "America/New_York",
    "Europe/Lisbon",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "Asia/Kolkata",  # +05:30
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/Santiago",
]
RECURRENCES = [("daily", ""), ("weekly", ""), ("monthly", ""), ("cron", "30 2 * * *")]
CRONS = ["*/15 * * * *", "0 9 * * 1-5", "30 2 * * *", "0 0 1,15 * *", "45 1 * * 0", "0 * * * *"]

instants = st.datetimes(
    min_value=datetime(2015, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)
recurrences = st.one_of(
    st.sampled_from([("daily", ""), ("weekly", ""), ("monthly", "")]),
    st.tuples(st.just("cron"), st.sampled_from(CRONS)),
)


@settings(max_examples=400, deadline=None)
@given(now=instants, tz=st.sampled_from(ZONES), recurrence=recurrences)
def test_every_instant_is_in_exactly_one_contiguous_period(now, tz, recurrence):
    kind, cron = recurrence
    period = period_at(now, recurrence=kind, time_zone=tz, cron_expression=cron)
    assert period.start <= now < period.end
    following = period_at(period.end, recurrence=kind, time_zone=tz, cron_expression=cron)
    assert following.start == period.end
    assert following.key != period.key
    assert period_at(period.start, recurrence=kind, time_zone=tz, cron_expression=cron) == period
    last_instant = period.end - timedelta(microseconds=1)
    assert period_at(last_instant, recurrence=kind, time_zone=tz, cron_expression=cron) == period


@settings(max_examples=200, deadline=None)
@given(now=instants, tz=st.sampled_from(ZONES))
def test_daily_period_is_the_local_calendar_day(now, tz):
    period = period_at(now, recurrence="daily", time_zone=tz)
    local = now.astimezone(zone(tz))
    assert period.key == local.date().isoformat()
    # A day lasts 24 h give or take the DST shift (at most an hour).
    assert timedelta(hours=23) <= period.end - period.start <= timedelta(hours=25)


@settings(max_examples=200, deadline=None)
@given(now=instants, tz=st.sampled_from(ZONES))
def test_weekly_and_monthly_keys_follow_local_calendar(now, tz):
    local = now.astimezone(zone(tz))
    year, week, _ = local.isocalendar()
    assert period_at(now, recurrence="weekly", time_zone=tz).key == f"{year}-W{week:02d}"
    assert period_at(now, recurrence="monthly", time_zone=tz).key == local.strftime("%Y-%m")


@settings(max_examples=300, deadline=None)
@given(
    a=st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2035, 12, 31)),
    b=st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2035, 12, 31)),
    tz=st.sampled_from(ZONES),
)
def test_wall_to_instant_never_goes_backwards(a, b, tz):
    low, high = sorted([a, b])
    assert wall_to_instant(low, zone(tz)) <= wall_to_instant(high, zone(tz))


def test_new_york_spring_forward_day_lasts_23_hours():
    now = datetime(2026, 3, 8, 15, 0, tzinfo=UTC)
    period = period_at(now, recurrence="daily", time_zone="America/New_York")
    assert period.key == "2026-03-08"
    assert period.start == datetime(2026, 3, 8, 5, 0, tzinfo=UTC)
    assert period.end - period.start == timedelta(hours=23)


def test_cron_in_a_skipped_hour_fires_at_the_jump():
    # 02:30 does not exist in New York on 2026-03-08; that run is due at the jump (07:00 UTC).
    now = datetime(2026, 3, 8, 6, 59, tzinfo=UTC)
    period = period_at(
        now, recurrence="cron", time_zone="America/New_York", cron_expression="30 2 * * *"
    )
    assert period.end == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)


def test_repeated_hour_does_not_open_a_second_period():
    # 01:00-02:00 happens twice in New York on 2026-11-01; an hourly cron keeps one 01:00 period.
    second_pass = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST, the repeat
    period = period_at(
        second_pass, recurrence="cron", time_zone="America/New_York", cron_expression="0 * * * *"
    )
    assert period.key == "2026-11-01T01:00"
    assert period.start == datetime(2026, 11, 1, 5, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 1, 7, 0, tzinfo=UTC)


def test_sao_paulo_weekly_period_starts_monday_local_midnight():
    now = datetime(2026, 5, 13, 12, 0, tzinfo=UTC)  # a Wednesday
    period = period_at(now, recurrence="weekly", time_zone="America/Sao_Paulo")
    assert period.key == "2026-W20"
    assert period.start == datetime(2026, 5, 11, 3, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 5, 18, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "cron", "tz"),
    [
        ("cron", "61 * * * *", "UTC"),
        ("cron", "* * *", "UTC"),
        ("yearly", "", "UTC"),
        ("daily", "", "Mars/Base"),
    ],
)
def test_bad_recurrences_are_refused_with_a_sentence(kind, cron, tz):
    with pytest.raises(RecurrenceError):
        period_at(
            datetime(2026, 1, 1, tzinfo=UTC), recurrence=kind, time_zone=tz, cron_expression=cron
        )
