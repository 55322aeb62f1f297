"""The monitor state machine: a pure function from (state, streaks, outcome) to the next.

Failures must repeat `failures_before_down` times before UP turns DOWN, successes
`successes_before_up` times before DOWN (or PENDING) turns UP, so one blip never flips a
state. Paused monitors ignore outcomes; during maintenance failures do not count.
"""

from dataclasses import dataclass

PENDING, UP, DOWN, PAUSED, MAINTENANCE = "pending", "up", "down", "paused", "maintenance"
STATES = (PENDING, UP, DOWN, PAUSED, MAINTENANCE)
STREAK_CAP = 10_000  # fits the smallint columns; no threshold is anywhere near it


@dataclass(frozen=True)
class Status:
    state: str
    failure_streak: int = 0
    success_streak: int = 0


def next_status(
    current: Status,
    ok: bool,
    *,
    failures_before_down: int,
    successes_before_up: int,
    in_maintenance: bool = False,
) -> Status:
    """The status after one outcome (`ok` True for a passing probe or a success ping)."""
    if current.state == PAUSED:
        return current
    failures = 0 if ok else min(current.failure_streak + 1, STREAK_CAP)
    successes = min(current.success_streak + 1, STREAK_CAP) if ok else 0
    if in_maintenance:
        # Failures during maintenance never count toward DOWN, even after it ends.
        return Status(MAINTENANCE, 0, successes)
    state = current.state
    if state == MAINTENANCE:
        # Leaving maintenance: decide afresh from this outcome on, as for a new monitor.
        state = PENDING
    if state == UP:
        if failures >= failures_before_down:
            state = DOWN
    elif state == DOWN:
        if successes >= successes_before_up:
            state = UP
    elif state == PENDING:
        if ok and successes >= successes_before_up:
            state = UP
        elif failures >= failures_before_down:
            state = DOWN
    return Status(state, failures, successes)


def paused(current: Status) -> Status:
    return Status(PAUSED)


def resumed(current: Status) -> Status:
    return Status(PENDING) if current.state == PAUSED else current
