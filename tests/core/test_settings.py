import subprocess
import sys

from tests.conftest import ROOT, subprocess_env

PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "x7Qp2vR9sL4mN8kT1wY6zB3cF5hJ0dG-aE_uI9oP2qW4eR7tY1uI3oP5aS8dF0gH",
    "ALLOWED_HOSTS": "portal.example.com",
}


def _manage(*args: str, **env: str | None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_requires_a_secret_key():
    result = _manage("check", **{**PRODUCTION, "SECRET_KEY": None})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_bad_values_are_explained():
    result = _manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr
    result = _manage("check", PORTAL_ENV="staging")
    assert "PORTAL_ENV must be development or production" in result.stderr
    result = _manage("check", DATABASE_URL="mysql://root@localhost/x")
    assert "DATABASE_URL must be a sqlite:// or postgres:// URL" in result.stderr


def test_production_logs_are_json_and_redacted():
    code = (
        "import logging, json, sys;"
        "logging.getLogger('x').warning('connect postgres://u:hunter2@db/x password=hunter2');"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=subprocess_env(**PRODUCTION),
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = [ln for ln in result.stdout.splitlines() if ln.startswith("{")][-1]
    import json

    record = json.loads(line)
    assert record["level"] == "WARNING"
    assert "hunter2" not in line
    assert "postgres://u:***@db/x" in record["message"]
