"""Occurrences open on schedule, once per period, and are ticked by a person in the admin."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.routines.checklists import run_routines
from apps.routines.models import Checklist, Occurrence, OccurrenceItem
from tests.routines.conftest import make_checklist

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 5, 11, 12, 0, tzinfo=UTC)


def test_default_checklists_mirror_the_seeds():
    names = dict(Checklist.objects.values_list("name", "recurrence"))
    assert names == {
        "Daily routine": "daily",
        "Weekly routine": "weekly",
        "Monthly routine": "monthly",
    }
    weekly = Checklist.objects.get(name="Weekly routine")
    assert [i.text for i in weekly.items.all()] == [
        "Review usage metrics",
        "Check disk space",
        "Test a backup restore",
    ]
    assert weekly.items.get(text="Test a backup restore").evidence == "restore_check_passed"


def test_one_occurrence_per_checklist_and_period_however_often_beat_runs(only_my_checklists):
    daily = make_checklist("Daily", "daily", items=[("a", ""), ("b", "")], time_zone="Asia/Tokyo")
    make_checklist("Weekly", "weekly")
    first = run_routines(now=MONDAY)
    again = run_routines(now=MONDAY + timedelta(minutes=5))
    assert len(first.opened) == 2 and again.opened == []
    occurrence = Occurrence.objects.get(checklist=daily)
    # 12:00 UTC is 21:00 in Tokyo: the local day 2026-05-11 runs 15:00 UTC to 15:00 UTC.
    assert occurrence.period == "2026-05-11"
    assert occurrence.period_start == datetime(2026, 5, 10, 15, 0, tzinfo=UTC)
    assert occurrence.due_at == datetime(2026, 5, 11, 15, 0, tzinfo=UTC)
    assert list(occurrence.items.values_list("text", flat=True)) == ["a", "b"]
    run_routines(now=MONDAY + timedelta(hours=4))  # 01:00 on the 12th in Tokyo
    assert list(daily.occurrences.order_by("period").values_list("period", flat=True)) == [
        "2026-05-11",
        "2026-05-12",
    ]
    assert Occurrence.objects.filter(checklist__name="Weekly").count() == 1


def test_editing_a_checklist_does_not_rewrite_an_open_occurrence(only_my_checklists):
    checklist = make_checklist(items=[("old text", "")])
    run_routines(now=MONDAY)
    checklist.items.update(text="new text")
    assert OccurrenceItem.objects.get().text == "old text"


def test_inactive_checklists_open_nothing(only_my_checklists):
    make_checklist(active=False)
    assert run_routines(now=MONDAY).opened == []


def _admin_post(client, occurrence, done_ids):
    rows = list(occurrence.items.order_by("position"))
    data = {
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": str(len(rows)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "_continue": "1",
    }
    for n, row in enumerate(rows):
        data[f"items-{n}-id"] = str(row.pk)
        data[f"items-{n}-occurrence"] = str(occurrence.pk)
        data[f"items-{n}-note"] = "checked in Grafana" if row.pk in done_ids else ""
        if row.pk in done_ids:
            data[f"items-{n}-done"] = "on"
    return client.post(f"/admin/routines/occurrence/{occurrence.pk}/change/", data)


def test_a_person_ticks_items_in_the_admin_and_the_last_tick_completes(
    only_my_checklists, admin_client, admin_user
):
    checklist = make_checklist(items=[("Check the error logs", ""), ("Rotate keys", "")])
    run_routines(now=datetime.now(UTC))
    occurrence = checklist.occurrences.get()
    first, second = occurrence.items.order_by("position")

    response = _admin_post(admin_client, occurrence, {first.pk})
    assert response.status_code == 302, response.content[:2000]
    first.refresh_from_db()
    assert first.ticked_by == admin_user and first.ticked_at is not None
    assert first.note == "checked in Grafana"
    occurrence.refresh_from_db()
    assert occurrence.completed_at is None

    page = admin_client.get(f"/admin/routines/occurrence/{occurrence.pk}/change/")
    assert b"admin," in page.content  # "who, when" of the tick is shown

    _admin_post(admin_client, occurrence, {first.pk, second.pk})
    occurrence.refresh_from_db()
    assert occurrence.completed_at is not None
    assert occurrence.items.filter(ticked_by=admin_user).count() == 2
