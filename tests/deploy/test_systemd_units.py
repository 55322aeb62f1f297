"""deploy/systemd: graceful stops that match gunicorn and Celery, and `systemd-analyze verify`."""

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.deploy.conftest import DEPLOY, INSTALL_DIR, documented_variables

UNITS = DEPLOY / "systemd"
GRACEFUL_TIMEOUT = 25  # GUNICORN_GRACEFUL_TIMEOUT's default in deploy/gunicorn.conf.py


def unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string((UNITS / name).read_text())
    return parser


def environment_names(name: str) -> set[str]:
    text = (UNITS / name).read_text()
    names = set(re.findall(r"^Environment=([A-Z][A-Z0-9_]*)=", text, re.M))
    return names | set(re.findall(r"\$\$?\{([A-Z][A-Z0-9_]*)\}", text))


def test_web_unit_stops_gracefully_like_gunicorn():
    service = unit("portal-web.service")["Service"]
    assert service["KillSignal"] == "SIGTERM" and service["KillMode"] == "mixed"
    assert GRACEFUL_TIMEOUT < int(service["TimeoutStopSec"]) <= GRACEFUL_TIMEOUT + 10
    assert (
        'graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))'
        in (DEPLOY / "gunicorn.conf.py").read_text()
    )
    assert service["ExecReload"] == "/bin/kill -s HUP $MAINPID"
    assert f"-c {INSTALL_DIR}/deploy/gunicorn.conf.py" in service["ExecStart"]


def test_worker_unit_warm_shutdown_on_sigterm():
    service = unit("portal-worker@.service")["Service"]
    # SIGTERM is Celery's warm shutdown; SIGQUIT or SIGINT twice would be a cold one.
    assert service["KillSignal"] == "SIGTERM" and service["KillMode"] == "mixed"
    assert int(service["TimeoutStopSec"]) >= 60
    assert "celery -A portal worker -Q" in service["ExecStart"]


def test_every_unit_runs_unprivileged_and_restarts():
    for path in UNITS.glob("*.service"):
        service = unit(path.name)["Service"]
        assert service["User"] == "portal", path.name
        assert service["NoNewPrivileges"] == "yes", path.name
        if service["Type"] != "oneshot":
            assert service["Restart"] == "on-failure", path.name


def test_processes_start_after_the_release_step():
    for name in ("portal-web.service", "portal-worker@.service", "portal-beat.service"):
        section = unit(name)["Unit"]
        assert "portal-migrate.service" in section["Requires"]
        assert "portal-migrate.service" in section["After"]


def test_every_variable_set_is_documented():
    names = set().union(*(environment_names(p.name) for p in UNITS.glob("*.service")))
    assert "PROMETHEUS_MULTIPROC_DIR" in names
    assert names - documented_variables() - {"PATH"} == set()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
def test_systemd_analyze_verify_accepts_the_units(tmp_path: Path):
    # Point the units at this checkout so verify can check that every executable exists.
    for path in UNITS.glob("*.service"):
        (tmp_path / path.name).write_text(path.read_text().replace(INSTALL_DIR, str(ROOT)))
    names = sorted(f"./{p.name}" for p in tmp_path.glob("*.service"))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    # Unknown keys and bad values are only warnings to systemd; they are errors here.
    assert result.stderr.strip() == ""
