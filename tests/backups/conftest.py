"""Fixtures for backup tests: a real source database on the test PostgreSQL server."""

import uuid
from collections.abc import Iterator

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
