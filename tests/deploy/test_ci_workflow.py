""".github/workflows/ci.yml runs `make test` with PostgreSQL and Redis service containers."""

import re

from tests.conftest import ROOT
from tests.deploy.conftest import load_yaml_documents

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def workflow() -> dict:
    (document,) = load_yaml_documents(WORKFLOW)
    return document


def test_triggers_on_push_and_pull_request():
    # PyYAML reads the bare key `on` as True.
    triggers = workflow().get("on", workflow().get(True))
    assert {"push", "pull_request"} <= set(triggers)


def test_runs_make_test_with_postgres_and_redis_services():
    (job,) = workflow()["jobs"].values()
    services = job["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert "5432:5432" in services["postgres"]["ports"]
    assert "6379:6379" in services["redis"]["ports"]
    runs = [step.get("run", "") for step in job["steps"]]
    assert any(re.match(r"make test\b", run) for run in runs)
    # The Makefile's test database URL must reach the service container.
    makefile = (ROOT / "Makefile").read_text()
    assert "postgres://postgres@127.0.0.1:5432/" in makefile
    assert services["postgres"]["env"]["POSTGRES_HOST_AUTH_METHOD"] == "trust"


def test_python_matches_the_project():
    (job,) = workflow()["jobs"].values()
    setup = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "3.11"
    assert ">=3.11" in (ROOT / "pyproject.toml").read_text()
