"""An export produces the same rows as a direct query, in both formats, with flat memory."""

import csv
import json
import tracemalloc
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.core.errors import PortalError
from apps.jobs.exporting import export_to_file
from tests.jobs.conftest import insert_audit_rows

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def period():
    now = timezone.now().replace(microsecond=0)
    insert_audit_rows(3000, now - timedelta(hours=2), action="inside")
    insert_audit_rows(50, now - timedelta(days=3), action="before")
    return now - timedelta(days=1), now


def test_csv_has_the_same_rows_as_a_direct_query(tmp_path, period):
    since, until = period
    rows = export_to_file("audit_log", since=since, until=until, fmt="csv", path=tmp_path / "a.csv")
    with open(tmp_path / "a.csv", newline="") as f:
        lines = list(csv.DictReader(f))
    expected = list(
        AuditEntry.objects.filter(at__gte=since, at__lt=until).order_by("pk").values("id", "detail")
    )
    assert rows == len(lines) == len(expected) == 3000
    assert [int(line["id"]) for line in lines] == [row["id"] for row in expected]
    assert [json.loads(line["detail"]) for line in lines] == [row["detail"] for row in expected]
    assert {line["action"] for line in lines} == {"inside"}


def test_jsonl_has_one_object_per_row(tmp_path, period):
    since, until = period
    export_to_file("audit_log", since=since, until=until, fmt="jsonl", path=tmp_path / "a.jsonl")
    records = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text().splitlines()]
    first = AuditEntry.objects.filter(action="inside").order_by("pk").first()
    assert len(records) == 3000
    assert records[0]["id"] == first.pk and records[0]["detail"] == first.detail
    assert records[0]["at"] == first.at.isoformat()


def test_memory_stays_flat_on_200k_rows(tmp_path):
    now = timezone.now()
    insert_audit_rows(200_000, now - timedelta(hours=1), action="many")
    tracemalloc.start()
    try:
        rows = export_to_file(
            "audit_log",
            since=now - timedelta(days=1),
            until=now,
            fmt="csv",
            path=tmp_path / "big.csv",
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == 200_000
    # The rows alone take well over 100 MB as Python objects; streaming keeps the peak to
    # about one chunk of them.
    assert peak < 25 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    assert (tmp_path / "big.csv").stat().st_size > 200_000 * 100


def test_command_writes_the_file_and_a_summary(tmp_path, period, capsys):
    since, until = period
    out = tmp_path / "cmd.csv"
    call_command(
        "export_data",
        "audit_log",
        "--since",
        since.isoformat(),
        "--until",
        until.isoformat(),
        "--format",
        "csv",
        "--output",
        str(out),
    )
    assert "exported 3000 audit_log rows" in capsys.readouterr().out
    assert len(out.read_text().splitlines()) == 3001


def test_bad_input_is_refused_with_a_sentence(tmp_path):
    with pytest.raises(CommandError, match="unknown export kind 'nope'"):
        call_command(
            "export_data",
            "nope",
            "--since",
            "2026-01-01",
            "--until",
            "2026-01-02",
            "--output",
            str(tmp_path / "x"),
        )
    with pytest.raises(CommandError, match="--since must be a date"):
        call_command(
            "export_data",
            "audit_log",
            "--since",
            "yesterday",
            "--until",
            "2026-01-02",
            "--output",
            str(tmp_path / "x"),
        )
    moment = timezone.now()
    with pytest.raises(PortalError, match="since must be before until"):
        export_to_file("audit_log", since=moment, until=moment, fmt="csv", path=tmp_path / "y")
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_row_cap_refuses_large_exports(tmp_path, period, settings):
    settings.EXPORT_MAX_ROWS = 100
    with pytest.raises(PortalError, match="more than EXPORT_MAX_ROWS=100"):
        export_to_file(
            "audit_log", since=period[0], until=period[1], fmt="csv", path=tmp_path / "z.csv"
        )
