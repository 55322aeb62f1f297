"""SIGTERM during a restore check still drops the scratch database and records the failure."""

import os
import signal
import subprocess
import sys

import psycopg
import pytest

from apps.backups import backup
from apps.backups.models import BackupPolicy, RestoreCheck
from tests.backups.conftest import admin_connection, server
from tests.conftest import ROOT, shared_database_url, subprocess_env, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _scratch_databases() -> list[str]:
    with admin_connection() as pg:
        rows = pg.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'portal_restore_check_%'"
        ).fetchall()
    return [row[0] for row in rows]


def test_sigterm_mid_restore_drops_the_scratch_database(source_db, backup_dir):
    s = server()
    policy = BackupPolicy.objects.create(
        name="term",
        host=s["host"],
        port=s["port"],
        dbname=source_db,
        user=s["user"],
        # Blocks inside the scratch database until the test sends SIGTERM.
        assertions="SELECT pg_sleep(60) IS NOT NULL",
    )
    assert backup.run(policy, trigger="command").status == "succeeded"
    env = subprocess_env(DATABASE_URL=shared_database_url(), BACKUP_DIR=str(backup_dir))
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "restore_check", "term"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:

        def sleeping() -> bool:
            with admin_connection() as pg:
                return (
                    pg.execute(
                        "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%%'"
                    ).fetchone()
                    is not None
                )

        wait_until(sleeping, timeout=60, what="the assertion to run")
        assert len(_scratch_databases()) == 1
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, proc.stderr.read().decode()
    assert _scratch_databases() == []
    check = RestoreCheck.objects.get()
    assert check.status == RestoreCheck.Status.FAILED
    assert "SIGTERM" in check.error
    with psycopg.connect(**s, dbname=source_db) as pg:  # the source is untouched
        assert pg.execute("SELECT count(*) FROM customers").fetchone()[0] == 500
