"""Fixtures of the routines tests: a checklist with items, an API token."""

from datetime import timedelta

import pytest

from apps.routines.models import Checklist, ChecklistItem


def make_checklist(name="Daily", recurrence="daily", *, items=(("Look at logs", ""),), **extra):
    checklist = Checklist.objects.create(
        name=name, recurrence=recurrence, grace=extra.pop("grace", timedelta(0)), **extra
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(checklist=checklist, position=n, text=text, evidence=kind)
        for n, (text, kind) in enumerate(items, start=1)
    )
    return checklist


@pytest.fixture
def only_my_checklists(db):
    """Remove the default checklists the migration created, so counts are this test's own."""
    Checklist.objects.all().delete()


@pytest.fixture
def token(db, django_user_model):
    from apps.api.models import ApiToken

    user = django_user_model.objects.create_superuser("ci", "ci@example.org", "x-very-long-pw-1")
    _, clear = ApiToken.issue(user, "CI deploys")
    return clear
