"""deploy/logrotate/portal: rotates gunicorn's access log and tells gunicorn to reopen it."""

import grp
import os
import pwd
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.conftest import DEPLOY

CONFIG = DEPLOY / "logrotate" / "portal"


def test_rotates_the_log_the_web_unit_writes():
    unit = (DEPLOY / "systemd" / "portal-web.service").read_text()
    assert "GUNICORN_ACCESS_LOG=/var/log/portal/access.log" in unit
    text = CONFIG.read_text()
    assert text.startswith("# ") and "/var/log/portal/*.log {" in text
    # USR1 makes gunicorn reopen its logs; only the master may get it.
    assert "--signal=USR1 --kill-whom=main portal-web.service" in text


@pytest.mark.skipif(shutil.which("logrotate") is None, reason="logrotate is not installed")
def test_logrotate_accepts_the_config(tmp_path: Path):
    user = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    text = (
        CONFIG.read_text()
        .replace("/var/log/portal/", f"{tmp_path}/")
        .replace("portal portal", f"{user} {group}")
    )
    (tmp_path / "access.log").write_text("a line\n")
    config = tmp_path / "portal"
    config.write_text(text)
    config.chmod(0o644)
    result = subprocess.run(
        ["logrotate", "-d", "-s", str(tmp_path / "state"), str(config)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "error:" not in result.stderr + result.stdout
