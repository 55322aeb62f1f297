"""Producing a backup stream: `pg_dump -Fc` for PostgreSQL, the online backup API for SQLite.

Both write into a HashingWriter in bounded chunks, so memory stays flat whatever the size.
"""

import gzip
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.conf import settings
from psycopg.conninfo import make_conninfo

from apps.backups.credentials import Connection, pgpass_env
from apps.backups.errors import BackupError
from apps.backups.storage import CHUNK, HashingWriter

Tick = Callable[[int], None]
TAIL_BYTES = 4000
# File name extensions of the two kinds of backup file.
PG_EXTENSION, SQLITE_EXTENSION = "dump", "sqlite3.gz"


def is_sqlite_file(name: str) -> bool:
    return name.endswith(f".{SQLITE_EXTENSION}")


@dataclass
class DumpInfo:
    extension: str
    server_version: str
    tool_version: str
    log_tail: str = ""
    database_bytes: int | None = None  # size of the source database when the dump started


def tool(name: str) -> str:
    folder = settings.BACKUP_PG_BIN_DIR
    return str(Path(folder) / name) if folder else name


def tool_version(name: str) -> str:
    try:
        out = subprocess.run([tool(name), "--version"], capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        raise BackupError(f"{tool(name)} is not installed on this worker") from None
    return out.stdout.strip()


def conninfo(conn: Connection) -> str:
    """A libpq connection string without the password (that goes through PGPASSFILE)."""
    return make_conninfo(host=conn.host, port=conn.port, dbname=conn.dbname, user=conn.user)


def server_facts(conn: Connection) -> tuple[str, int]:
    """Connect once to learn the version and database size; libpq's failure becomes a sentence."""
    try:
        with psycopg.connect(**conn.psycopg_kwargs(), connect_timeout=10) as pg:
            version, size = pg.execute(
                "SELECT current_setting('server_version'), pg_database_size(current_database())"
            ).fetchone()
            return str(version), int(size)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise BackupError(
            f"cannot connect to {conn.user}@{conn.host}:{conn.port}/{conn.dbname}: {reason}"
        ) from None


def read_tail(handle) -> str:  # noqa: ANN001
    handle.flush()
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(max(0, size - TAIL_BYTES))
    return handle.read().decode(errors="replace").strip()


def dump_postgres(
    conn: Connection, level: int, out: HashingWriter, tick: Tick, *, on_start: Callable = None
) -> DumpInfo:
    version, size = server_facts(conn)
    info = DumpInfo(PG_EXTENSION, version, tool_version("pg_dump"), database_bytes=size)
    args = [tool("pg_dump"), "-Fc", f"-Z{level}", "--no-password", f"--dbname={conninfo(conn)}"]
    with pgpass_env(conn) as env, tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr, env=env)
        if on_start:
            on_start(proc)
        try:
            while chunk := proc.stdout.read(CHUNK):
                out.write(chunk)
                tick(len(chunk))
            code = proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            proc.stdout.close()
        info.log_tail = read_tail(stderr)
    if code != 0:
        reason = info.log_tail.splitlines()[-1] if info.log_tail else "no output"
        raise BackupError(f"pg_dump exited with code {code}: {reason}")
    return info


def dump_sqlite(path: str, level: int, out: HashingWriter, tick: Tick) -> DumpInfo:
    """Copy a live SQLite database with its online backup API, then gzip it into `out`."""
    info = DumpInfo(SQLITE_EXTENSION, sqlite3.sqlite_version, f"sqlite3 backup API + gzip -{level}")
    info.database_bytes = Path(path).stat().st_size
    # The backup API needs a real database file as target: the writer's local scratch path.
    copy = out.scratch
    try:
        source = sqlite3.connect(path)
        target = sqlite3.connect(copy)
        try:
            source.backup(target, pages=1024)
        finally:
            target.close()
            source.close()
        with (
            open(copy, "rb") as raw,
            gzip.GzipFile(fileobj=out, mode="wb", compresslevel=level, mtime=0) as packed,
        ):
            while chunk := raw.read(CHUNK):
                packed.write(chunk)
                tick(len(chunk))
    finally:
        copy.unlink(missing_ok=True)
    return info


def gunzip_to(source, target: Path) -> None:  # noqa: ANN001
    with gzip.GzipFile(fileobj=source, mode="rb") as packed, open(target, "wb") as raw:
        shutil.copyfileobj(packed, raw, CHUNK)
