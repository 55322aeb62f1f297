"""Helpers for the checks of `deploy/`: file loading and what the project really has."""

import re
import shlex
from pathlib import Path

import yaml

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
# Where the systemd units and the nginx site expect the checkout to be installed.
INSTALL_DIR = "/opt/portal"
MANAGE_COMMAND = re.compile(r"""manage\.py[\s"',]+([a-z_]+)""")


def load_yaml_documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def documented_variables() -> set[str]:
    """Environment variables in the README's configuration table."""
    readme = (ROOT / "README.md").read_text()
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, re.M))


def words(command: list[str] | str) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else list(command)


def queues_of(command: list[str] | str) -> set[str]:
    """The queues a `celery worker -Q a,b` command line consumes."""
    argv = " ".join(words(command)).split()
    if "worker" not in argv or "-Q" not in argv:
        return set()
    return set(argv[argv.index("-Q") + 1].strip("\"'").split(","))


def deploy_texts() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text()
        for path in sorted(DEPLOY.rglob("*"))
        if path.is_file() and path.suffix not in {".pyc"}
    }
