"""Database credentials of backup policies: never stored in plain text, never on a command line.

A policy names an environment variable (read by the worker at run time) or keeps its password
encrypted with a Fernet key from `BACKUP_ENCRYPTION_KEYS`. Tools get it through a per-run
password file readable only by the worker (`PGPASSFILE`), which the libpq docs recommend over
`PGPASSWORD`.
"""

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from apps.backups.errors import CredentialError

ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


@dataclass(frozen=True)
class Connection:
    host: str
    port: int
    dbname: str
    user: str
    password: str = ""

    def with_db(self, dbname: str) -> "Connection":
        return Connection(self.host, self.port, dbname, self.user, self.password)

    def psycopg_kwargs(self) -> dict:
        kwargs = {"host": self.host, "port": self.port, "dbname": self.dbname, "user": self.user}
        if self.password:
            kwargs["password"] = self.password
        return kwargs


def _fernet() -> MultiFernet:
    keys = settings.BACKUP_ENCRYPTION_KEYS
    if not keys:
        raise CredentialError(
            "storing a password needs BACKUP_ENCRYPTION_KEYS (generate one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())'`)"
        )
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        raise CredentialError(
            "BACKUP_ENCRYPTION_KEYS holds a key that is not a Fernet key"
        ) from None


def encrypt_password(clear: str) -> str:
    return _fernet().encrypt(clear.encode()).decode()


def decrypt_password(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise CredentialError(
            "the stored password cannot be decrypted with BACKUP_ENCRYPTION_KEYS "
            "(was the key changed?)"
        ) from None


def check_password_env(name: str) -> None:
    """Raise ValueError unless `name` may serve as a password source."""
    prefix = settings.BACKUP_PASSWORD_ENV_PREFIX
    if not ENV_NAME.match(name):
        raise ValueError("an environment variable name is upper case letters, digits and _")
    if not name.startswith(prefix):
        raise ValueError(f"the variable name must start with {prefix!r}")


def policy_password(policy) -> str:  # noqa: ANN001
    if policy.password_env:
        try:
            check_password_env(policy.password_env)
        except ValueError as exc:
            raise CredentialError(str(exc)) from None
        # The one deliberate environment read outside settings: the variable is named by the
        # policy, so settings cannot know it in advance.
        value = os.environ.get(policy.password_env)
        if value is None:
            raise CredentialError(
                f"the environment variable {policy.password_env} is not set on this worker"
            )
        return value
    if policy.password_encrypted:
        return decrypt_password(policy.password_encrypted)
    return ""


def policy_connection(policy) -> Connection:  # noqa: ANN001
    """Where a policy's database lives, with its password resolved for this run only."""
    if policy.kind == policy.Kind.PORTAL:
        db = settings.DATABASES["default"]
        return Connection(
            str(db.get("HOST") or "127.0.0.1"),
            int(db.get("PORT") or 5432),
            str(db["NAME"]),
            str(db.get("USER") or ""),
            str(db.get("PASSWORD") or ""),
        )
    return Connection(policy.host, policy.port, policy.dbname, policy.user, policy_password(policy))


def _pgpass_field(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


@contextmanager
def pgpass_env(*connections: Connection) -> Iterator[dict[str, str]]:
    """Environment for libpq tools with a 0600 password file that lives only for the block."""
    folder = Path(tempfile.mkdtemp(prefix="portal-pgpass-"))  # mkdtemp makes it 0700
    try:
        path = folder / "pgpass"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            for conn in connections:
                fields = [conn.host, str(conn.port), "*", conn.user, conn.password]
                handle.write(":".join(_pgpass_field(f) for f in fields) + "\n")
        # Drop any PG* variable of the worker so nothing but the file carries a password.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["PGPASSFILE"] = str(path)
        env["PGCONNECT_TIMEOUT"] = "10"
        yield env
    finally:
        shutil.rmtree(folder, ignore_errors=True)
