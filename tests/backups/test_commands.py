"""The backup commands: progress, sentences and exit codes."""

import pytest
from django.core.management import CommandError, call_command

from apps.audit.models import AuditEntry
from apps.backups import backup
from tests.backups.conftest import database_exists, drop_database

pytestmark = pytest.mark.django_db


def test_backup_now_list_and_verify(policy, capsys):
    call_command("backup_now", "shop")
    out = capsys.readouterr().out
    assert "bytes in" in out and "sha256" in out
    call_command("list_backups", "shop")
    assert "succeeded" in capsys.readouterr().out
    run_id = str(policy.runs.get().pk)
    call_command("verify_backup", run_id)
    assert "is intact" in capsys.readouterr().out


def test_unknown_policy_and_run_are_sentences(policy):
    with pytest.raises(CommandError, match="no backup policy with id or name 'nope'"):
        call_command("backup_now", "nope")
    with pytest.raises(CommandError, match="no backup run '999999'"):
        call_command("verify_backup", "999999")


def test_restore_backup_needs_confirmation_and_refuses_existing(policy, source_db, capsys):
    run = backup.run(policy, trigger="command")
    target = f"{source_db}_copy"
    with pytest.raises(CommandError, match="needs --yes-i-know"):
        call_command("restore_backup", str(run.pk), "--into", target)
    assert not database_exists(target)
    with pytest.raises(CommandError, match="already exists; pass --replace-existing"):
        call_command("restore_backup", str(run.pk), "--into", source_db, "--yes-i-know")
    try:
        call_command("restore_backup", str(run.pk), "--into", target, "--yes-i-know")
        out, err = capsys.readouterr()
        assert "2 tables, 750 rows" in out
        assert f"restoring into {target}" in err and "item" in err  # pg_restore's progress
        restored = AuditEntry.objects.get(action="backup.restore")
        assert restored.detail == {"into": target, "replaced": False, "tables": 2, "rows": 750}
        assert AuditEntry.objects.filter(action="backup.trigger", target_id=str(run.pk)).exists()
        call_command(
            "restore_backup", str(run.pk), "--into", target, "--yes-i-know", "--replace-existing"
        )
        assert database_exists(target)
    finally:
        drop_database(target)


def test_restore_check_command_exit_code(policy, capsys):
    with pytest.raises(CommandError, match="no good backup"):
        call_command("restore_check", "shop")
    backup.run(policy, trigger="command")
    call_command("restore_check", "shop")
    assert "passed: 2 tables, 750 rows, 2 assertions" in capsys.readouterr().out
