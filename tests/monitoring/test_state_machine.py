"""The monitor state machine: thresholds, no flapping, paused and maintenance (hypothesis)."""

from hypothesis import given
from hypothesis import strategies as st

from apps.monitoring.state import DOWN, MAINTENANCE, PAUSED, PENDING, UP, Status, next_status

thresholds = st.integers(min_value=1, max_value=5)


def run(outcomes, state=PENDING, fbd=2, sbu=1, maintenance=False):
    status = Status(state)
    seen = []
    for ok in outcomes:
        status = next_status(
            status,
            ok,
            failures_before_down=fbd,
            successes_before_up=sbu,
            in_maintenance=maintenance,
        )
        seen.append(status.state)
    return seen


def test_one_blip_does_not_flip_up_to_down():
    assert run([True, False, True, False, True], fbd=2) == [UP, UP, UP, UP, UP]
    assert run([True, False, False], fbd=2) == [UP, UP, DOWN]


def test_recovery_needs_successes_before_up():
    assert run([False, False, True, True, True], fbd=2, sbu=3) == [
        PENDING, DOWN, DOWN, DOWN, UP,
    ]  # fmt: skip


@given(st.lists(st.booleans(), max_size=60), thresholds, thresholds)
def test_down_only_after_enough_consecutive_failures(outcomes, fbd, sbu):
    states = run(outcomes, fbd=fbd, sbu=sbu)
    for i, state in enumerate(states):
        if state == DOWN and (i == 0 or states[i - 1] != DOWN):
            window = outcomes[max(0, i - fbd + 1) : i + 1]
            assert len(window) == fbd and not any(window)
        if state == UP and i > 0 and states[i - 1] == DOWN:
            window = outcomes[max(0, i - sbu + 1) : i + 1]
            assert len(window) == sbu and all(window)


@given(st.lists(st.booleans(), max_size=30), thresholds, thresholds)
def test_paused_ignores_every_outcome(outcomes, fbd, sbu):
    assert set(run(outcomes, state=PAUSED, fbd=fbd, sbu=sbu)) <= {PAUSED}


@given(st.lists(st.booleans(), min_size=1, max_size=30), thresholds)
def test_failures_in_maintenance_never_count(outcomes, fbd):
    status = Status(UP)
    for ok in outcomes:
        status = next_status(
            status, ok, failures_before_down=fbd, successes_before_up=1, in_maintenance=True
        )
        assert status.state == MAINTENANCE and status.failure_streak == 0
    after = next_status(status, False, failures_before_down=fbd, successes_before_up=1)
    assert after.state == (DOWN if fbd == 1 else PENDING)
