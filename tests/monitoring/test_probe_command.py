"""`manage.py probe [--service SLUG]` probes once and prints a table."""

import pytest
from django.core.management import CommandError, call_command

from apps.monitoring.models import ProbeResult, Service
from tests.monitoring.conftest import make_monitor

pytestmark = pytest.mark.django_db


def test_probe_prints_a_table_and_stores_results(capsys, service, target):
    make_monitor(service, target=target.set("/up"), name="home")
    other = Service.objects.create(name="Other", slug="other")
    make_monitor(other, target=target.set("/down", status=503), name="api")
    call_command("probe")
    out = capsys.readouterr().out
    assert "SERVICE" in out and "2 probed, 1 failed" in out
    assert "status 503" in out
    call_command("probe", "--service", "other")
    assert "1 probed, 1 failed" in capsys.readouterr().out
    assert ProbeResult.objects.count() == 3


def test_unknown_service_or_nothing_to_probe(service):
    with pytest.raises(CommandError, match="no service with the slug 'ghost'"):
        call_command("probe", "--service", "ghost")
    with pytest.raises(CommandError, match="nothing to probe"):
        call_command("probe", "--service", "shop")
