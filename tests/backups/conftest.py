"""Fixtures for backup tests: a real source database on the test PostgreSQL server."""

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from apps.backups.models import BackupPolicy


def server() -> dict:
    if connection.vendor != "postgresql":
        pytest.skip("backup tests need PostgreSQL (make test sets DATABASE_URL)")
    s = connection.settings_dict
    return {"host": s["HOST"] or "127.0.0.1", "port": int(s["PORT"] or 5432), "user": s["USER"]}


def admin_connection() -> psycopg.Connection:
    return psycopg.connect(**server(), dbname="postgres", autocommit=True)


def database_exists(name: str) -> bool:
    with admin_connection() as pg:
        return (
            pg.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is not None
        )


def drop_database(name: str) -> None:
    with admin_connection() as pg:
        pg.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def make_source_database(rows: int = 500, padding: int = 0) -> str:
    """A database with two tables and `rows` customers (each with `padding` random bytes)."""
    name = f"h4src_{uuid.uuid4().hex[:10]}"
    with admin_connection() as pg:
        pg.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(**server(), dbname=name, autocommit=True) as pg:
        pg.execute("CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, blob bytea)")
        pg.execute(
            "CREATE TABLE orders (id serial PRIMARY KEY, customer_id int REFERENCES customers)"
        )
        pg.execute(
            "INSERT INTO customers (name, blob) SELECT 'customer ' || i, "
            "(SELECT string_agg(md5(random()::text || i || j), '') "
            "FROM generate_series(1, %s) j)::bytea "
            "FROM generate_series(1, %s) i",
            [max(padding // 32, 0), rows],
        )
        pg.execute("INSERT INTO orders (customer_id) SELECT id FROM customers WHERE id % 2 = 0")
    return name


@pytest.fixture
def source_db() -> Iterator[str]:
    name = make_source_database()
    yield name
    drop_database(name)


@pytest.fixture
def backup_dir(settings, tmp_path):  # noqa: ANN001, ANN201
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.BACKUP_DIR


@pytest.fixture
def policy(source_db, backup_dir) -> BackupPolicy:  # noqa: ANN001
    s = server()
    return BackupPolicy.objects.create(
        name="shop",
        host=s["host"],
        port=s["port"],
        dbname=source_db,
        user=s["user"],
        assertions="SELECT count(*) = 500 FROM customers\nSELECT count(*) = 250 FROM orders",
    )


@pytest.fixture(autouse=True)
def _no_leftover_scratch_databases() -> Iterator[None]:
    yield
    if connection.vendor != "postgresql":
        return
    with admin_connection() as pg:
        left = pg.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'portal_restore_check_%'"
        ).fetchall()
    assert left == [], f"scratch databases left behind: {left}"


@contextmanager
def s3_server() -> Iterator[tuple[str, subprocess.Popen]]:
    """A real S3-compatible server (moto's standalone server) on a free local port."""
    from tests.conftest import free_port, stop_process, wait_until

    port = free_port()
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(url), timeout=30, what="the S3 server to listen")
        yield url, proc
    finally:
        stop_process(proc)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with s3_server() as (url, _):
        yield url


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).close()  # noqa: S310 - local test server
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


@pytest.fixture
def s3_bucket(s3_endpoint, settings) -> str:  # noqa: ANN001
    """A fresh bucket on the S3 server, configured as the portal's BACKUP_S3_* settings."""
    name = f"portal-{uuid.uuid4().hex[:12]}"
    settings.BACKUP_S3_BUCKET = name
    settings.BACKUP_S3_ENDPOINT_URL = s3_endpoint
    settings.BACKUP_S3_REGION = "us-east-1"
    settings.BACKUP_S3_ACCESS_KEY_ID = "test-key"
    settings.BACKUP_S3_SECRET_ACCESS_KEY = "test-secret"
    settings.BACKUP_S3_PREFIX = "ops/backups"
    s3_client(settings).create_bucket(Bucket=name)
    return name


def s3_client(settings):  # noqa: ANN001, ANN201
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=settings.BACKUP_S3_ENDPOINT_URL,
        region_name=settings.BACKUP_S3_REGION,
        aws_access_key_id=settings.BACKUP_S3_ACCESS_KEY_ID,
        aws_secret_access_key=settings.BACKUP_S3_SECRET_ACCESS_KEY,
    )


def s3_env(settings) -> dict[str, str]:  # noqa: ANN001
    """The BACKUP_S3_* settings as environment variables, for child processes."""
    names = ("BUCKET", "ENDPOINT_URL", "REGION", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "PREFIX")
    return {f"BACKUP_S3_{n}": str(getattr(settings, f"BACKUP_S3_{n}")) for n in names}


@contextmanager
def backup_now_while_locked(policy: BackupPolicy, env: dict[str, str]) -> Iterator:
    """`manage.py backup_now` in a child process while its `customers` table is locked.

    pg_dump waits on the lock, so the run stays in progress for as long as the block lasts;
    the lock is released on the way out. A child still running after a failure is killed.
    """
    from tests.conftest import ROOT

    with psycopg.connect(**server(), dbname=policy.dbname) as locker:
        locker.execute("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE")
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "backup_now", policy.name],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            yield proc
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            locker.rollback()


def kill_when(proc: subprocess.Popen, predicate, what: str) -> None:  # noqa: ANN001
    """SIGKILL `proc` as soon as `predicate()` holds (the run is under way)."""
    from tests.conftest import wait_until

    wait_until(predicate, timeout=60, what=what)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)


@contextmanager
def backups_worker(settings, backup_dir: Path, **env: str) -> Iterator[subprocess.Popen]:  # noqa: ANN001
    """A real Celery worker on the `backups` queue, sharing the test database and broker."""
    from tests.conftest import celery_process, shared_database_url, subprocess_env

    environment = subprocess_env(
        DATABASE_URL=shared_database_url(),
        REDIS_URL=settings.REDIS_URL or "redis://127.0.0.1:6379/4",
        CELERY_BROKER_URL=None,
        BACKUP_DIR=str(backup_dir),
        **env,
    )
    args = ["worker", "-Q", "backups", "-c", "1", "--without-heartbeat", "--without-gossip"]
    with celery_process(environment, *args) as proc:
        yield proc
