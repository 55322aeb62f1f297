"""Beat and clock jumps: forward runs overdue schedules once, backward never stalls them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from hypothesis import given
from hypothesis import strategies as st

from apps.health.beat import CLOCK_TOLERANCE_SECONDS, clock_jump, repair_after_backward_jump

seconds = st.floats(0, 3600, allow_nan=False)


@given(
    elapsed=seconds, skew=st.floats(-CLOCK_TOLERANCE_SECONDS + 0.1, CLOCK_TOLERANCE_SECONDS - 0.1)
)
def test_ordinary_ticks_and_ntp_slew_are_not_jumps(elapsed, skew):
    assert clock_jump(1000.0, 50.0, 1000.0 + elapsed + skew, 50.0 + elapsed) == 0.0


@given(elapsed=seconds, jump=st.floats(31, 86400) | st.floats(-86400, -31))
def test_jumps_are_measured_against_the_monotonic_clock(elapsed, jump):
    measured = clock_jump(1000.0, 50.0, 1000.0 + elapsed + jump, 50.0 + elapsed)
    assert measured == pytest.approx(jump)


@pytest.mark.django_db
def test_backward_jump_restamps_schedules_from_the_future():
    every = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    now = timezone.now()
    future = PeriodicTask.objects.create(
        name="ran at the old time", task="x", interval=every, last_run_at=now + timedelta(hours=1)
    )
    past = PeriodicTask.objects.create(
        name="ran before", task="x", interval=every, last_run_at=now - timedelta(minutes=5)
    )
    assert repair_after_backward_jump(now) == 1
    future.refresh_from_db()
    past.refresh_from_db()
    assert future.last_run_at == now
    assert past.last_run_at == now - timedelta(minutes=5)
    # Due again one interval from now, not an hour and ten minutes from now.
    assert future.schedule.remaining_estimate(future.last_run_at) <= timedelta(minutes=10)
