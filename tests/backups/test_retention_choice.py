"""The retention choice is a pure function; its promises hold for any history and any clock."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.backups.retention import Candidate, Rules, choose

BASE = datetime(2026, 1, 1, tzinfo=UTC)

histories = st.lists(
    st.integers(min_value=0, max_value=200 * 24 * 60), min_size=0, max_size=60, unique=True
).map(
    lambda minutes: [Candidate(i + 1, BASE + timedelta(minutes=m)) for i, m in enumerate(minutes)]
)
rules = st.builds(
    Rules,
    keep_last=st.integers(0, 10),
    daily_days=st.integers(0, 30),
    weekly_weeks=st.integers(0, 12),
)
# "now" anywhere from long before the first backup (clock jumped back) to long after.
clocks = st.integers(min_value=-100 * 24 * 60, max_value=400 * 24 * 60).map(
    lambda m: BASE + timedelta(minutes=m)
)


def newest(backups):
    return max(backups, key=lambda b: (b.finished_at, b.id))


@settings(max_examples=300)
@given(histories, rules, clocks)
def test_never_removes_the_newest_good_backup(backups, rule, now):
    removed = choose(backups, rules=rule, now=now)
    assert removed <= {b.id for b in backups}
    if backups:
        assert newest(backups).id not in removed


@settings(max_examples=200)
@given(histories, rules, clocks, st.data())
def test_never_removes_a_backup_a_restore_check_is_reading(backups, rule, now, data):
    ids = [b.id for b in backups]
    protected = frozenset(data.draw(st.sets(st.sampled_from(ids))) if ids else set())
    assert not choose(backups, rules=rule, now=now, protected=protected) & protected


@settings(max_examples=200)
@given(histories, rules, clocks)
def test_keeps_the_last_n(backups, rule, now):
    removed = choose(backups, rules=rule, now=now)
    ordered = sorted(backups, key=lambda b: (b.finished_at, b.id), reverse=True)
    assert not {b.id for b in ordered[: rule.keep_last]} & removed


@settings(max_examples=200)
@given(histories, rules, clocks)
def test_keeps_one_backup_older_than_the_window(backups, rule, now):
    removed = choose(backups, rules=rule, now=now)
    window = max(timedelta(days=rule.daily_days), timedelta(weeks=rule.weekly_weeks))
    older = [b for b in backups if b.finished_at < now - window]
    if older and (rule.daily_days or rule.weekly_weeks):
        assert newest(older).id not in removed


@settings(max_examples=200)
@given(histories, rules, clocks)
def test_applying_it_again_removes_nothing_more(backups, rule, now):
    removed = choose(backups, rules=rule, now=now)
    kept = [b for b in backups if b.id not in removed]
    assert choose(kept, rules=rule, now=now) == set()


def test_daily_and_weekly_example():
    now = BASE + timedelta(days=60)
    # One backup every 6 hours for 60 days.
    backups = [Candidate(i, BASE + timedelta(hours=6 * i)) for i in range(1, 240)]
    removed = choose(backups, rules=Rules(keep_last=3, daily_days=7, weekly_weeks=4), now=now)
    kept = sorted(b.finished_at for b in backups if b.id not in removed)
    recent_days = {t.date() for t in kept if t >= now - timedelta(days=7)}
    assert len(recent_days) == 7
    assert len(kept) <= 3 + 8 + 5 + 1
    assert kept[0] < now - timedelta(weeks=4)  # the one older than the window
