"""deploy/Dockerfile, checked by hand the way hadolint would (no Docker engine here)."""

import re

from tests.conftest import ROOT
from tests.deploy.conftest import DEPLOY


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with line continuations joined and comments dropped."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for keyword, rest in instructions():
        if keyword == "FROM":
            result.append([])
        result[-1].append((keyword, rest))
    return result


def test_multi_stage_with_named_stages_and_pinned_bases():
    froms = [rest for keyword, rest in instructions() if keyword == "FROM"]
    assert len(froms) >= 2
    for line in froms:
        image, _, name = line.partition(" AS ")
        assert name, f"unnamed stage: FROM {line}"
        assert ":" in image and not image.endswith(":latest"), f"unpinned base image {image}"
    assert any("--from=build" in rest for keyword, rest in stages()[-1] if keyword == "COPY")


def test_dependencies_come_from_the_lock_in_the_build_stage():
    build = " ".join(rest for _, rest in stages()[0])
    assert "requirements.lock" in build and "pip install" in build
    runtime = " ".join(rest for _, rest in stages()[-1])
    assert "pip install" not in runtime


def test_runtime_runs_as_a_non_root_user():
    users = [rest for keyword, rest in stages()[-1] if keyword == "USER"]
    assert users, "the runtime stage sets no USER"
    assert users[-1] not in {"root", "0", "0:0"}
    assert "useradd" in " ".join(rest for keyword, rest in stages()[-1] if keyword == "RUN")


def test_healthcheck_asks_liveness_without_curl():
    checks = [rest for keyword, rest in instructions() if keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    assert "/health/live" in checks[0] and "curl" not in checks[0]
    assert re.search(r"--interval=\d+s", checks[0]) and re.search(r"--timeout=\d+s", checks[0])


def test_apt_lists_are_cleaned_and_no_recommends():
    for keyword, rest in instructions():
        if keyword == "RUN" and "apt-get install" in rest:
            assert "--no-install-recommends" in rest and "rm -rf /var/lib/apt/lists" in rest


def test_command_uses_the_project_gunicorn_config():
    cmd = [rest for keyword, rest in instructions() if keyword == "CMD"][-1]
    assert "deploy/gunicorn.conf.py" in cmd and "portal.wsgi:application" in cmd
    assert (ROOT / "deploy" / "gunicorn.conf.py").exists()


def test_build_context_ignores_local_state():
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert {".git", ".venv", "var", ".env"} <= set(ignored)
