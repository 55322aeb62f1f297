import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import ROOT, closed_port, gunicorn_server, shared_database_url, subprocess_env


@pytest.mark.django_db
def test_in_process_degraded_passes_unless_strict(capsys):
    call_command("healthcheck")
    assert "healthy: status degraded" in capsys.readouterr().out
    with pytest.raises(CommandError) as exc:
        call_command("healthcheck", "--strict")
    assert exc.value.returncode == 1


@pytest.mark.django_db
def test_ready_only(capsys):
    call_command("healthcheck", "--ready")
    assert "healthy: status ok" in capsys.readouterr().out


def _run(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "healthcheck", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.django_db(transaction=True)
def test_against_a_url():
    env = subprocess_env(DATABASE_URL=shared_database_url())
    with gunicorn_server(env) as base:
        ok = _run(base, "--ready", env=env)
    assert ok.returncode == 0, ok.stderr
    down = _run(f"http://127.0.0.1:{closed_port()}", env=env)
    assert down.returncode == 1
    assert "cannot reach" in down.stderr
    bad = _run("ftp://example.invalid/", env=env)
    assert bad.returncode == 1
    assert "must start with http" in bad.stderr
