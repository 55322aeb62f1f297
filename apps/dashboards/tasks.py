"""Celery tasks of the dashboards app: one-liners around the domain functions."""

from celery import shared_task
from django.utils import timezone

from apps.dashboards import availability


@shared_task(name="apps.dashboards.tasks.email_availability_report")
def email_availability_report(year: int | None = None, month: int | None = None) -> int:
    """Beat runs this on the 1st: last month's report to REPORT_RECIPIENTS."""
    return availability.email_report(now=timezone.now(), year=year, month=month)
