"""Restore checks: the proof that a backup restores. Also restoring a backup by hand.

A check verifies the checksum, restores the newest good backup into a scratch database, counts
the rows of every table, runs the policy's SQL assertions, and drops the scratch database
whatever happens (exception, soft time limit, SIGTERM).
"""

import logging
import re
import signal
import sqlite3
import subprocess
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg
from django.db import IntegrityError, transaction
from django.utils import timezone
from psycopg import sql

from apps.backups import dumping
from apps.backups.credentials import Connection, pgpass_env, policy_connection
from apps.backups.errors import AlreadyRunning, BackupError, NoGoodBackup
from apps.backups.leases import LeaseKeeper, fail_dead_runs, owner_token
from apps.backups.models import BackupPolicy, BackupRun, RestoreCheck
from apps.backups.storage import run_storage

log = logging.getLogger(__name__)
# pg_restore --verbose starts each item of the archive with one of these.
PROGRESS_LINE = re.compile(r"^pg_restore: (creating|processing data|executing) ")


class Terminated(Exception):  # noqa: N818 - it names the signal
    """SIGTERM arrived during a restore; raised so `finally` blocks still run."""


@dataclass
class Outcome:
    tables: dict[str, int] = field(default_factory=dict)
    assertions: list[dict] = field(default_factory=list)
    log_tail: str = ""


def newest_good_run(policy: BackupPolicy) -> BackupRun | None:
    return (
        BackupRun.objects.filter(
            policy=policy, status=BackupRun.Status.SUCCEEDED, pruned_at__isnull=True
        )
        .order_by("-finished_at", "-pk")
        .first()
    )


def restore_check(
    policy: BackupPolicy, *, trigger: str, now: datetime | None = None, progress=None
) -> RestoreCheck:  # noqa: ANN001
    """Restore-check the newest good backup of `policy`; returns the recorded check."""
    now = now or timezone.now()
    fail_dead_runs(now=now, policy_id=policy.pk)
    backup = newest_good_run(policy)
    try:
        with transaction.atomic():
            check = RestoreCheck.objects.create(
                policy=policy,
                backup_run=backup,
                trigger=trigger,
                started_at=now,
                heartbeat_at=now,
                owner=owner_token(),
                scratch_database=f"portal_restore_check_{policy.pk}_{int(now.timestamp())}",
            )
    except IntegrityError:
        raise AlreadyRunning(f"a restore check of {policy.name!r} is already running") from None
    phase = Phase(backup.size_bytes if backup else None, progress)
    try:
        with _sigterm_raises(), LeaseKeeper(RestoreCheck, check.pk, phase.fields):
            if backup is None:
                raise NoGoodBackup(f"{policy.name!r} has no good backup to restore")
            with _verified_file(backup, phase.count) as path:
                outcome = _check(policy, backup, path, check.scratch_database, phase)
        status, error = RestoreCheck.Status.PASSED, ""
    except Exception as exc:
        outcome = getattr(exc, "outcome", None) or Outcome(log_tail=getattr(exc, "log_tail", ""))
        status, error = RestoreCheck.Status.FAILED, getattr(exc, "message", None) or str(exc)
        log.warning("restore check %s of policy %s failed: %s", check.pk, policy.pk, error)
    check.status = status
    check.phase = ""
    check.error = error
    check.tables = outcome.tables
    check.assertion_results = outcome.assertions
    check.log_tail = outcome.log_tail
    check.finished_at = timezone.now()
    check.save()
    from apps.backups.freshness import evaluate

    evaluate(policy, now=check.finished_at)
    return check


def restore_into(
    run: BackupRun,
    dbname: str,
    *,
    replace: bool = False,
    progress=None,  # noqa: ANN001 - called with bytes checked
    on_item: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Restore `run` into `dbname` (a database, or a file path for SQLite backups).

    `progress` gets the bytes of the checksum pass, `on_item` pg_restore's (done, total).
    """
    if not run.is_good:
        raise NoGoodBackup(f"backup run {run.pk} has no stored file to restore ({run.status})")
    sqlite = dumping.is_sqlite_file(run.file_name)
    conn = None if sqlite else _restore_connection(run.policy).with_db(dbname)
    if sqlite and Path(dbname).exists() and not replace:
        raise BackupError(f"{dbname} already exists; pass --replace-existing to overwrite it")
    if conn and _database_exists(conn) and not replace:
        raise BackupError(
            f"database {dbname!r} already exists; pass --replace-existing to drop it first"
        )
    with _verified_file(run, progress) as path:
        if sqlite:
            with open(path, "rb") as source:
                dumping.gunzip_to(source, Path(dbname))
            tables = _sqlite_tables(Path(dbname))
        else:
            if _database_exists(conn):
                _drop_database(conn)
            _create_database(conn)
            _pg_restore(conn, path, on_item)
            tables = _pg_tables(conn)
    _audit_restore(run, dbname, replace, tables)
    return tables


def _audit_restore(run: BackupRun, into: str, replace: bool, tables: dict[str, int]) -> None:
    from apps.audit.log import record

    record(
        "backup.restore",
        target=run,
        detail={
            "into": into,
            "replaced": replace,
            "tables": len(tables),
            "rows": sum(tables.values()),
        },
    )


def drop_scratch_quietly(check: RestoreCheck) -> None:
    """Best effort, for checks whose process died: drop their scratch database."""
    from apps.backups.backup import conn_is_sqlite

    if check.policy.kind == BackupPolicy.Kind.PORTAL and conn_is_sqlite():
        return
    try:
        _drop_database(_restore_connection(check.policy).with_db(check.scratch_database))
    except Exception:
        log.warning("could not drop scratch database %s", check.scratch_database, exc_info=True)


@contextmanager
def _verified_file(run: BackupRun, progress) -> Iterator[Path]:  # noqa: ANN001
    """A local path to `run`'s file whose SHA-256 matched the recorded one (S3: a download)."""
    with ExitStack() as stack:
        try:
            path, digest = stack.enter_context(run_storage(run).fetch(run.file_name, progress))
        except FileNotFoundError:
            raise BackupError(
                f"the file of backup run {run.pk} is missing: {run.file_name}"
            ) from None
        if digest != run.sha256:
            raise BackupError(
                f"checksum mismatch for backup run {run.pk}: recorded {run.sha256[:12]}..., "
                f"file has {digest[:12]}...; the file is damaged"
            )
        yield path


class Phase:
    """What a running check is doing, for the lease keeper to write (with a percentage)."""

    def __init__(self, total: int | None, progress) -> None:  # noqa: ANN001
        self.name, self.total, self.done, self.progress = "verifying checksum", total, 0, progress
        self.items = (0, 0)

    def count(self, size: int) -> None:
        self.done += size
        if self.progress:
            self.progress(size)

    def restored(self, done: int, total: int) -> None:
        self.items = (done, total)

    def fields(self) -> dict:
        if self.name == "verifying checksum" and self.total:
            return {"phase": f"verifying checksum {min(100, 100 * self.done // self.total)} %"}
        done, total = self.items
        if self.name == "restoring" and total:
            return {"phase": f"restoring {100 * done // total} % ({done} of {total} items)"}
        return {"phase": self.name}


def _check(
    policy: BackupPolicy, backup: BackupRun, path: Path, scratch: str, phase: Phase
) -> Outcome:
    phase.name = "restoring"
    if dumping.is_sqlite_file(backup.file_name):
        with tempfile.TemporaryDirectory(prefix="portal-restore-") as folder:
            target = Path(folder) / "restored.sqlite3"
            with open(path, "rb") as source:
                dumping.gunzip_to(source, target)
            with sqlite3.connect(target) as db:
                status = db.execute("PRAGMA integrity_check").fetchone()[0]
                if status != "ok":
                    raise BackupError(f"the restored SQLite file is damaged: {status}")
            phase.name = "counting rows"
            outcome = Outcome(tables=_sqlite_tables(target))
            _require_tables(outcome)
            phase.name = "running assertions"
            outcome.assertions = _sqlite_assertions(target, policy.assertion_list())
            _raise_on_failed_assertions(outcome)
            return outcome
    conn = _restore_connection(policy).with_db(scratch)
    try:
        _create_database(conn)
        outcome = Outcome(log_tail=_pg_restore(conn, path, phase.restored))
        phase.name = "counting rows"
        outcome.tables = _pg_tables(conn)
        _require_tables(outcome)
        phase.name = "running assertions"
        outcome.assertions = _pg_assertions(conn, policy.assertion_list())
        _raise_on_failed_assertions(outcome)
        return outcome
    finally:
        phase.name = "dropping the scratch database"
        _drop_database(conn)


def _require_tables(outcome: Outcome) -> None:
    if not outcome.tables:
        exc = BackupError("the restored database has no tables")
        exc.outcome = outcome
        raise exc


def _raise_on_failed_assertions(outcome: Outcome) -> None:
    failed = [a for a in outcome.assertions if not a["ok"]]
    if failed:
        exc = BackupError(f"assertion failed: {failed[0]['sql']} -> {failed[0]['result']}")
        exc.outcome = outcome
        raise exc


def _restore_connection(policy: BackupPolicy) -> Connection:
    conn = policy_connection(policy)
    return Connection(
        policy.restore_host or conn.host,
        policy.restore_port or conn.port,
        conn.dbname,
        conn.user,
        conn.password,
    )


def _maintenance(conn: Connection) -> psycopg.Connection:
    try:
        return psycopg.connect(
            **conn.with_db("postgres").psycopg_kwargs(), autocommit=True, connect_timeout=10
        )
    except psycopg.OperationalError as exc:
        raise BackupError(
            f"cannot reach the restore server {conn.host}:{conn.port}: {exc}"
        ) from None


def _database_exists(conn: Connection) -> bool:
    with _maintenance(conn) as pg:
        row = pg.execute("SELECT 1 FROM pg_database WHERE datname = %s", [conn.dbname]).fetchone()
        return row is not None


def _create_database(conn: Connection) -> None:
    with _maintenance(conn) as pg:
        try:
            pg.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(conn.dbname)))
        except psycopg.Error as exc:
            raise BackupError(f"cannot create database {conn.dbname!r}: {exc}") from None


def _drop_database(conn: Connection) -> None:
    with _maintenance(conn) as pg:
        pg.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(conn.dbname))
        )


def toc_items(path: Path) -> int:
    """How many items the archive's table of contents lists (what pg_restore will process)."""
    listed = subprocess.run(
        [dumping.tool("pg_restore"), "--list", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return sum(1 for line in listed.stdout.splitlines() if line and not line.startswith(";"))


def _pg_restore(
    conn: Connection, path: Path, on_item: Callable[[int, int], None] | None = None
) -> str:
    """Restore `path` into `conn`'s database; returns the tail of what pg_restore said.

    With `on_item`, pg_restore runs verbose and each item it starts is reported as
    (done, total) against the archive's table of contents; the progress lines stay out of
    the returned tail, which keeps warnings and errors.
    """
    total = toc_items(path) if on_item else 0
    args = [
        dumping.tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--no-password",
        *(["--verbose"] if on_item else []),
        f"--dbname={dumping.conninfo(conn)}",
        str(path),
    ]
    kept: deque[str] = deque(maxlen=60)
    done = 0
    with pgpass_env(conn) as env:
        proc = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True
        )
        try:
            for line in proc.stderr:
                if on_item and PROGRESS_LINE.match(line):
                    done += 1
                    on_item(min(done, total), total)
                else:
                    kept.append(line.rstrip("\n"))
            code = proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            proc.stderr.close()
    tail = "\n".join(kept)[-dumping.TAIL_BYTES :].strip()
    if code != 0:
        exc = BackupError(f"pg_restore exited with code {code}: {tail.splitlines()[-1:] or ''}")
        exc.log_tail = tail
        raise exc
    return tail


def _pg_tables(conn: Connection) -> dict[str, int]:
    with psycopg.connect(**conn.psycopg_kwargs(), connect_timeout=10) as pg:
        names = pg.execute(
            "SELECT n.nspname, c.relname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%%' ORDER BY 1, 2"
        ).fetchall()
        counts = {}
        for schema, table in names:
            query = sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
            counts[f"{schema}.{table}"] = pg.execute(query).fetchone()[0]
        return counts


def _pg_assertions(conn: Connection, queries: list[str]) -> list[dict]:
    results = []
    with psycopg.connect(**conn.psycopg_kwargs(), connect_timeout=10, autocommit=True) as pg:
        pg.execute("SET default_transaction_read_only = on")
        pg.execute("SET statement_timeout = '60s'")
        for query in queries:
            try:
                row = pg.execute(query).fetchone()
                value = row[0] if row else None
            except psycopg.Error as exc:
                value = f"error: {str(exc).strip()}"
            except BaseException:
                # SIGTERM or the soft time limit: stop the query so the drop need not wait.
                pg.cancel_safe(timeout=5)
                raise
            results.append({"sql": query, "result": str(value), "ok": value is True})
    return results


def _sqlite_tables(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        quoted = {name: '"' + name.replace('"', '""') + '"' for name in names}
        return {
            name: db.execute(f"SELECT count(*) FROM {quoted[name]}").fetchone()[0] for name in names
        }


def _sqlite_assertions(path: Path, queries: list[str]) -> list[dict]:
    results = []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        for query in queries:
            try:
                row = db.execute(query).fetchone()
                value = row[0] if row else None
            except sqlite3.Error as exc:
                value = f"error: {exc}"
            results.append({"sql": query, "result": str(value), "ok": value in (True, 1)})
    return results


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into an exception for the block, so the scratch database is dropped."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(signum, frame):  # noqa: ANN001, ANN202
        raise Terminated("terminated by SIGTERM during the restore check")

    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
