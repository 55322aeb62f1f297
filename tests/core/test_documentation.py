"""Every environment variable the code reads is documented in the README and .env.example."""

import re

from tests.conftest import ROOT

READERS = re.compile(r"""(?:env_\w+|os\.environ\.get)\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def _variables() -> set[str]:
    names: set[str] = set()
    for path in [ROOT / "portal" / "settings.py", ROOT / "deploy" / "gunicorn.conf.py"]:
        names |= set(READERS.findall(path.read_text()))
    return names


def test_every_variable_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, re.M))
    names = _variables()
    assert len(names) > 30
    assert names - documented == set()


def test_every_variable_is_in_the_example_env_file():
    example = (ROOT / ".env.example").read_text()
    missing = {name for name in _variables() if f"# {name}=" not in example}
    assert missing == set()


def test_readme_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Configuration")[0]
    assert "make run" in quick and "make test" in quick
