"""Runbooks: safe markdown, found by cause pattern or attachment, shown with the incident."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template import Context, Template

from apps.incidents.intake import report_problem
from apps.incidents.models import Incident, ResourceRule
from apps.routines.models import Runbook, RunbookAttachment
from apps.routines.runbooks import render_markdown, runbook_for_cause, runbook_for_incident

pytestmark = pytest.mark.django_db


def test_markdown_is_rendered_without_html_or_script_links():
    html = render_markdown(
        "# Disk\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) "
        "[ok](https://example.org) `df -h`\n\n{{ settings.SECRET_KEY }} {% debug %}"
    )
    assert "<script" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as text, not run
    assert '<a href="https://example.org"' in html and "<code>df -h</code>" in html
    assert "{{ settings.SECRET_KEY }}" in html  # never evaluated as a template


def test_default_runbooks_come_from_the_seeds():
    titles = set(Runbook.objects.values_list("title", flat=True))
    assert {
        "Container keeps restarting",
        "Database is slow",
        "Disk is full",
        "High latency",
    } <= titles
    assert runbook_for_cause("resource:disk").slug == "disk-full"


def test_runbook_attached_to_an_alert_rule_wins_over_patterns():
    rule, _ = ResourceRule.objects.get_or_create(
        key="disk-data", defaults={"metric": "disk", "threshold": 90}
    )
    special = Runbook.objects.create(title="Data volume", slug="data-volume", body="Grow it.")
    RunbookAttachment.objects.create(
        runbook=special, target_type=ContentType.objects.get_for_model(rule), target_id=str(rule.pk)
    )
    assert runbook_for_cause("resource:disk-data") == special
    assert runbook_for_cause("resource:disk-other").slug == "disk-full"
    assert runbook_for_cause("nothing-matches-this") is None


def test_incident_shows_its_runbook_in_timeline_and_page(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        incident = report_problem("resource:disk", "Disk 95% full", severity="SEV2")
    entry = incident.updates.get(text__startswith="Runbook for this cause")
    assert "Disk is full" in entry.text and "/routines/runbooks/disk-full/" in entry.text
    assert runbook_for_incident(incident)["title"] == "Disk is full"
    html = Template("{% load routines %}{% incident_routines incident %}").render(
        Context({"incident": Incident.objects.get(pk=incident.pk)})
    )
    assert "Runbook: Disk is full" in html and "<code>df -h</code>" in html


def test_runbook_page_needs_login_and_renders_safely(client, admin_client):
    Runbook.objects.create(title="T", slug="t", body="**bold** <img src=x onerror=alert(1)>")
    assert client.get("/routines/runbooks/t/").status_code == 302
    page = admin_client.get("/routines/runbooks/t/")
    assert page.status_code == 200
    assert b"<strong>bold</strong>" in page.content and b"<img" not in page.content
    assert admin_client.get("/routines/runbooks/missing/").status_code == 404
