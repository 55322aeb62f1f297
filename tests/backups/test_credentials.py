"""Passwords: never stored in clear, never on a command line or in the environment of pg_dump."""

import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from apps.backups import backup
from apps.backups.credentials import (
    Connection,
    decrypt_password,
    encrypt_password,
    pgpass_env,
    policy_password,
)
from apps.backups.errors import CredentialError
from apps.backups.models import BackupPolicy, BackupRun
from apps.backups.policies import apply_changes
from apps.core.errors import PortalError
from tests.conftest import free_port, wait_until

PG_BIN = Path("/usr/lib/postgresql/15/bin")


@pytest.fixture
def fernet_key(settings):
    settings.BACKUP_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    return settings.BACKUP_ENCRYPTION_KEYS[0]


def test_encrypted_password_round_trips_and_is_not_clear(fernet_key):
    token = encrypt_password("s3cret:pass")
    assert "s3cret" not in token
    assert decrypt_password(token) == "s3cret:pass"


def test_without_a_key_a_password_cannot_be_stored(settings):
    settings.BACKUP_ENCRYPTION_KEYS = []
    with pytest.raises(CredentialError, match="BACKUP_ENCRYPTION_KEYS"):
        encrypt_password("x")


@pytest.mark.django_db
def test_password_env_must_carry_the_prefix(settings):
    settings.BACKUP_PASSWORD_ENV_PREFIX = "BACKUP_"
    with pytest.raises(PortalError) as caught:
        apply_changes(
            BackupPolicy(),
            {"name": "p", "host": "h", "dbname": "d", "user": "u", "password_env": "SECRET_KEY"},
        )
    assert "must start with 'BACKUP_'" in caught.value.fields["password_env"]
    assert not BackupPolicy.objects.exists()


def test_password_env_is_read_at_run_time(monkeypatch):
    policy = BackupPolicy(name="p", password_env="BACKUP_TEST_PW")
    with pytest.raises(CredentialError, match="not set on this worker"):
        policy_password(policy)
    monkeypatch.setenv("BACKUP_TEST_PW", "from-env")
    assert policy_password(policy) == "from-env"


def test_password_file_is_private_and_removed(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "leaky")
    conn = Connection("127.0.0.1", 5432, "db", "user", "pa:ss")
    with pgpass_env(conn) as env:
        path = Path(env["PGPASSFILE"])
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_text() == "127.0.0.1:5432:*:user:pa\\:ss\n"
        assert "PGPASSWORD" not in env
    assert not path.exists()


@pytest.fixture
def scram_server():
    """A private PostgreSQL that really checks passwords (the shared one trusts 127.0.0.1)."""
    if not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None:
        pytest.skip("needs PostgreSQL 15 server binaries and runuser")
    folder = Path(tempfile.mkdtemp(prefix="h4-scram-"))
    shutil.chown(folder, "postgres")
    data = folder / "data"
    pwfile = folder / "pw"
    pwfile.write_text("right-password\n")
    shutil.chown(pwfile, "postgres")
    as_pg = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *as_pg,
            PG_BIN / "initdb",
            "-D",
            data,
            "-U",
            "owner",
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
        ],
        check=True,
        capture_output=True,
    )
    port = free_port()
    proc = subprocess.Popen(
        [
            *as_pg,
            PG_BIN / "postgres",
            "-D",
            data,
            "-p",
            str(port),
            "-k",
            folder,
            "-c",
            "listen_addresses=127.0.0.1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(
            lambda: (
                subprocess.run(
                    [PG_BIN / "pg_isready", "-h", "127.0.0.1", "-p", str(port)], capture_output=True
                ).returncode
                == 0
            ),
            timeout=30,
            what="private PostgreSQL",
        )
        yield port
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.django_db
def test_scram_server_with_right_and_wrong_password(
    scram_server, backup_dir, fernet_key, monkeypatch
):
    monkeypatch.setenv("BACKUP_SCRAM_PW", "right-password")
    policy = BackupPolicy.objects.create(
        name="scram",
        host="127.0.0.1",
        port=scram_server,
        dbname="postgres",
        user="owner",
        password_env="BACKUP_SCRAM_PW",
    )
    good = backup.run(policy, trigger="command")
    assert good.status == BackupRun.Status.SUCCEEDED, good.error

    apply_changes(policy, {"password_env": "", "password": "wrong-password"})
    assert "wrong-password" not in policy.password_encrypted
    bad = backup.run(policy, trigger="command")
    assert bad.status == BackupRun.Status.FAILED
    assert "password authentication failed for user" in bad.error
    assert "wrong-password" not in bad.error + bad.log_tail
