"""`manage.py move_to_postgres`: a SQLite portal moved into real PostgreSQL reads back equal,
through the ORM (every row of every table) and through the API (every list endpoint)."""

import hashlib
import json
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.db import connection

from tests.conftest import ROOT, gunicorn_server, http_get, subprocess_env

pytestmark = pytest.mark.django_db(transaction=True)

BUILD = """
from datetime import timedelta
from django.contrib.admin.models import LogEntry, ADDITION
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from apps.api.models import ApiToken
from apps.incidents.intake import report_problem
from apps.monitoring.models import Service, Tag
from apps.routines.checklists import run_routines, tick
from apps.routines.models import Deployment, Runbook, RunbookAttachment

now = timezone.now()
boss = User.objects.create_superuser("boss", "boss@example.org", "boss-password-123456")
ops = Group.objects.create(name="night shift")
ops.permissions.set(Permission.objects.filter(codename__startswith="view_"))
ana = User.objects.create_user("ana", "ana@example.org", "ana-password-123456")
ana.groups.add(ops)
web = Tag.objects.create(name="web")
db = Service.objects.create(name="Database", slug="db", links=[{"title": "g", "url": "https://x.org"}])
api = Service.objects.create(name="API", slug="api", description="ção ✓ unicode")
api.tags.add(web)
api.depends_on.add(db)
Deployment.objects.create(service=api, version="1.0", commit="abc", who="ci",
                          started_at=now - timedelta(minutes=20),
                          finished_at=now - timedelta(minutes=18))
with __import__("django").db.transaction.atomic():
    incident = report_problem("monitor:1", "API down", service_ids=[api.pk], now=now)
run_routines(now=now)
item = boss.routine_ticks.model.objects.filter(evidence_kind="").first()
tick(item, user=ana, now=now)
rb = Runbook.objects.get(slug="disk-full")
RunbookAttachment.objects.create(runbook=rb, target_type=ContentType.objects.get_for_model(Service),
                                 target_id=str(api.pk))
cron = CrontabSchedule.objects.create(minute="7", hour="3", timezone="Europe/Lisbon")
PeriodicTask.objects.create(name="custom", task="apps.routines.tasks.run_routines", crontab=cron)
LogEntry.objects.log_actions(boss.pk, [api], ADDITION, change_message="added", single_object=True)
_, clear = ApiToken.issue(boss, "read-back")
print("TOKEN=" + clear)
"""


# Every row of every table, as the ORM reads it (the same code on either database).
DUMP = """
import json
from apps.routines.moving import copied_models
out = {}
for model in copied_models():
    names = [f.attname for f in model._meta.local_concrete_fields]
    rows = model._base_manager.order_by("pk").values_list(*names)
    plain = (dict, list, int, bool, type(None))
    out[model._meta.db_table] = [[v if isinstance(v, plain) else str(v) for v in r] for r in rows]
print(json.dumps(out))
"""
NEW_SERVICE = """
from apps.monitoring.models import Service
fresh = Service.objects.create(name="New", slug="new")
print(fresh.pk)
fresh.delete()
"""


def _manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def pg_database():
    """A fresh PostgreSQL database on the test server, dropped afterwards."""
    s = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    made = []
    admin = psycopg.connect(
        host=s["HOST"], port=s["PORT"], user=s["USER"], dbname="postgres", autocommit=True
    )

    def create() -> str:
        name = f"{s['NAME']}_move_{uuid.uuid4().hex[:8]}"
        admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{name}"

    try:
        yield create
    finally:
        for name in made:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _read_back(base: str, token: str, paths: list[str]) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    return {
        p: (lambda r: (r[0], json.loads(r[1])))(http_get(base + p, headers=headers)) for p in paths
    }


def test_moved_database_reads_back_equal(tmp_path, pg_database):
    sqlite_env = subprocess_env(
        PORTAL_VAR_DIR=str(tmp_path), DATABASE_URL=None, REDIS_URL=None, CELERY_BROKER_URL=None
    )
    assert _manage(sqlite_env, "migrate", "-v0").returncode == 0
    built = _manage(sqlite_env, "shell", "-c", BUILD)
    assert built.returncode == 0, built.stderr[-3000:]
    token = built.stdout.split("TOKEN=")[1].split()[0]
    sqlite_file = tmp_path / "portal.sqlite3"
    before = _sha256(sqlite_file)

    unmigrated = pg_database()
    refused = _manage(sqlite_env, "move_to_postgres", unmigrated, "--no-progress")
    assert refused.returncode != 0 and "unapplied migration" in refused.stderr

    target = pg_database()
    target_env = {**sqlite_env, "DATABASE_URL": target}
    assert _manage(target_env, "migrate", "-v0").returncode == 0
    moved = _manage(sqlite_env, "move_to_postgres", target)
    assert moved.returncode == 0, moved.stderr[-3000:]
    assert "every count matches" in moved.stdout and "row/s" in moved.stderr  # the progress bar
    assert _sha256(sqlite_file) == before

    again = _manage(sqlite_env, "move_to_postgres", target, "--no-progress")
    assert again.returncode == 1 and "the target database is not empty" in again.stderr
    assert _sha256(sqlite_file) == before

    source_rows = _manage(sqlite_env, "shell", "-v", "0", "-c", DUMP)
    target_rows = _manage(target_env, "shell", "-v", "0", "-c", DUMP)
    assert source_rows.returncode == 0, source_rows.stderr[-2000:]
    source, copied = json.loads(source_rows.stdout), json.loads(target_rows.stdout)
    assert source.keys() == copied.keys()
    for table, rows in source.items():
        assert copied[table] == rows, table
    assert sum(len(rows) for rows in source.values()) > 500
    assert len(source["routines_occurrenceitem"]) >= 3 and source["incidents_incident"]
    # Sequences were reset: a new row in the target gets an id after the copied ones.
    fresh = _manage(target_env, "shell", "-v", "0", "-c", NEW_SERVICE)
    assert int(fresh.stdout.strip()) > max(int(row[0]) for row in source["monitoring_service"])

    with gunicorn_server(sqlite_env) as base:
        auth = {"Authorization": f"Bearer {token}"}
        schema = json.loads(http_get(f"{base}/api/v1/openapi.json", headers=auth)[1])
        lists = [p for p, ops in schema["paths"].items() if "get" in ops and "{" not in p]
        old = _read_back(base, token, lists)
    with gunicorn_server(target_env) as base:
        new = _read_back(base, token, lists)
    assert old == new
    assert old["/api/v1/deployments"][1]["count"] == 1
    assert sum(1 for status, _ in old.values() if status == 200) >= 5
