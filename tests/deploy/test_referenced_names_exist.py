"""Whatever a deployment file names (commands, paths, the WSGI app) exists in the project."""

import importlib
import re

from django.core.management import get_commands

from tests.conftest import ROOT
from tests.deploy.conftest import DEPLOY, INSTALL_DIR, MANAGE_COMMAND, deploy_texts


def test_every_manage_py_command_named_exists():
    named = {
        (name, command)
        for name, text in deploy_texts().items()
        for command in MANAGE_COMMAND.findall(text)
    }
    assert {command for _, command in named} >= {"release"}
    missing = sorted((name, command) for name, command in named if command not in get_commands())
    assert missing == []


def test_every_project_path_named_exists():
    pattern = re.compile(
        r"(?<![\w/])(?:deploy|benchmarks|apps|portal)/[\w./@-]+\.(?:py|sh|conf|json)"
    )
    named = {path for text in deploy_texts().values() for path in pattern.findall(text)}
    assert "deploy/gunicorn.conf.py" in named
    assert sorted(path for path in named if not (ROOT / path).exists()) == []


def test_install_dir_paths_exist_in_the_checkout():
    pattern = re.compile(re.escape(INSTALL_DIR) + r"(/[\w./-]+)")
    units = [path.read_text() for path in (DEPLOY / "systemd").glob("*.service")]
    named = {suffix for text in units for suffix in pattern.findall(text)}
    assert "/deploy/gunicorn.conf.py" in named
    # The virtualenv `make run` creates (.venv) sits at the same place in the checkout.
    assert sorted(s for s in named if not (ROOT / s.lstrip("/")).exists()) == []


def test_the_wsgi_app_and_the_celery_app_named_import():
    texts = "\n".join(deploy_texts().values())
    assert "portal.wsgi:application" in texts
    assert re.search(r"-A[\s\"',]+portal\b", texts)
    module, attribute = "portal.wsgi:application".split(":")
    assert callable(getattr(importlib.import_module(module), attribute))
    assert importlib.import_module("portal.celery").app.main == "portal"


def test_release_script_is_executable_shell():
    script = DEPLOY / "release.sh"
    assert script.read_text().startswith("#!/bin/sh\n")
    assert "set -eu" in script.read_text()
