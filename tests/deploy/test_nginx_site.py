"""deploy/nginx/portal.conf: proxy headers, limits, static files, /metrics, and `nginx -t`."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.conftest import DEPLOY

SITE = DEPLOY / "nginx" / "portal.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def site() -> str:
    return SITE.read_text()


def location(path: str) -> str:
    match = re.search(r"location\s+" + re.escape(path) + r"\s*\{(.*?)\}", site(), re.S)
    assert match, f"no location {path}"
    return match.group(1)


def test_proxy_headers_for_django_and_gunicorn():
    for header in ("Host $host", "X-Forwarded-For $proxy_add_x_forwarded_for",
                   "X-Forwarded-Proto $scheme"):  # fmt: skip
        assert f"proxy_set_header {header};" in site()


def test_body_size_and_timeouts_fit_the_portal():
    size = re.search(r"client_max_body_size (\d+)m;", site())
    assert size and int(size.group(1)) * 1024 * 1024 >= 2_621_440  # DATA_UPLOAD_MAX_MEMORY_SIZE
    read = re.search(r"proxy_read_timeout (\d+)s;", site())
    assert read and int(read.group(1)) > 30  # longer than gunicorn's timeout


def test_static_files_come_from_static_root():
    block = location("/static/")
    assert "alias /var/lib/portal/staticfiles/;" in block  # STATIC_ROOT under PORTAL_VAR_DIR


def test_metrics_are_restricted():
    block = location("= /metrics")
    assert "deny all;" in block and "allow " in block


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (scripts/ensure-services.sh)")
def test_nginx_accepts_the_site(tmp_path: Path):
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", tmp_path / "privkey.pem",
         "-out", tmp_path / "fullchain.pem"],
        check=True, capture_output=True,
    )  # fmt: skip
    text = (
        site()
        .replace("/etc/ssl/portal/", f"{tmp_path}/")
        .replace("/var/log/nginx/", f"{tmp_path}/")
    )
    (tmp_path / "portal.conf").write_text(text)
    temp_paths = "\n".join(
        f"  {kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log {tmp_path}/access.log;\n{temp_paths}\n"
        f"  include {tmp_path}/portal.conf;\n}}\n"
    )
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
