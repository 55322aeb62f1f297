"""Backups in an S3-compatible bucket, against a real S3 server (moto's standalone server)."""

import hashlib
import threading

import psycopg
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from apps.backups import backup
from apps.backups.actions import queue_backup
from apps.backups.models import BackupPolicy, BackupRun, RestoreCheck
from apps.backups.restore import restore_check, restore_into
from apps.backups.storage import clean_orphans, run_storage
from apps.incidents.models import Incident
from tests.backups.conftest import (
    backup_now_while_locked,
    backups_worker,
    drop_database,
    kill_when,
    make_source_database,
    s3_client,
    s3_env,
    s3_server,
    server,
)
from tests.conftest import (
    closed_port,
    shared_database_url,
    subprocess_env,
    wait_until,
)

pytestmark = pytest.mark.django_db


def _objects(settings, bucket: str) -> dict[str, bytes]:  # noqa: ANN001
    client = s3_client(settings)
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


def _uploads(settings, bucket: str) -> list[dict]:  # noqa: ANN001
    return s3_client(settings).list_multipart_uploads(Bucket=bucket).get("Uploads", [])


@pytest.fixture
def s3_policy(policy, s3_bucket) -> BackupPolicy:  # noqa: ANN001
    policy.storage = BackupPolicy.Storage.S3
    policy.save()
    return policy


def test_backup_lands_in_the_bucket_and_restore_checks(s3_policy, s3_bucket, settings, backup_dir):
    run = backup.run(s3_policy, trigger="command")
    assert run.status == BackupRun.Status.SUCCEEDED, run.error
    assert run.storage == "s3"
    objects = _objects(settings, s3_bucket)
    assert list(objects) == [f"ops/backups/{run.file_name}"]
    data = objects[f"ops/backups/{run.file_name}"]
    assert data[:5] == b"PGDMP"
    assert (run.size_bytes, run.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert _uploads(settings, s3_bucket) == []
    assert not [p for p in backup_dir.rglob("*") if p.is_file()]  # nothing staged locally
    assert run_storage(run).exists(run.file_name)  # django-storages sees the same key
    assert backup.verify(run) is True

    check = restore_check(s3_policy, trigger="command")
    assert check.status == RestoreCheck.Status.PASSED, check.error
    assert check.tables == {"public.customers": 500, "public.orders": 250}
    assert not [p for p in backup_dir.rglob("*") if p.is_file()]  # the download is gone


def test_flipped_byte_in_the_bucket_fails_verify_and_the_check(s3_policy, s3_bucket, settings):
    run = backup.run(s3_policy, trigger="command")
    key = f"ops/backups/{run.file_name}"
    data = bytearray(_objects(settings, s3_bucket)[key])
    data[len(data) // 2] ^= 0x01
    s3_client(settings).put_object(Bucket=s3_bucket, Key=key, Body=bytes(data))
    assert backup.verify(run) is False
    check = restore_check(s3_policy, trigger="command")
    assert check.status == RestoreCheck.Status.FAILED
    assert "checksum mismatch" in check.error
    assert Incident.objects.filter(cause=s3_policy.cause).exists()


def test_large_dump_goes_up_in_parts_and_restores(s3_bucket, settings, backup_dir):
    settings.BACKUP_S3_PART_MB = 5
    source = make_source_database(rows=1500, padding=8000)  # about 12 MiB of random text
    s = server()
    policy = BackupPolicy.objects.create(
        name="parts", dbname=source, storage="s3", compression_level=0, **s
    )
    target = f"{source}_copy"
    try:
        run = backup.run(policy, trigger="command")
        assert run.status == BackupRun.Status.SUCCEEDED, run.error
        assert run.size_bytes > 10 << 20
        head = s3_client(settings).head_object(Bucket=s3_bucket, Key=f"ops/backups/{run.file_name}")
        assert head["ETag"].strip('"').endswith(("-3", "-4", "-5"))  # a multipart object
        assert head["ContentLength"] == run.size_bytes
        tables = restore_into(run, target)
        assert tables == {"public.customers": 1500, "public.orders": 750}
    finally:
        drop_database(source)
        drop_database(target)


def test_retention_removes_objects_but_keeps_the_newest(s3_policy, s3_bucket, settings):
    s3_policy.keep_last, s3_policy.keep_daily_days, s3_policy.keep_weekly_weeks = 1, 0, 0
    s3_policy.save()
    runs = [backup.run(s3_policy, trigger="command") for _ in range(3)]
    assert [r.status for r in runs] == ["succeeded"] * 3
    assert list(_objects(settings, s3_bucket)) == [f"ops/backups/{runs[-1].file_name}"]
    pruned = BackupRun.objects.filter(pruned_at__isnull=False).count()
    assert pruned == 2


def test_unreachable_bucket_fails_the_run_clearly(s3_policy, settings):
    settings.BACKUP_S3_ENDPOINT_URL = f"http://127.0.0.1:{closed_port()}"
    run = backup.run(s3_policy, trigger="command")
    assert run.status == BackupRun.Status.FAILED
    assert run.error.startswith("S3 storage error while ")
    assert "Could not connect to the endpoint URL" in run.error
    assert run.file_name == "" and run.sha256 == ""
    assert Incident.objects.filter(cause=s3_policy.cause).exists()


def test_missing_bucket_fails_with_its_name(s3_policy, settings):
    settings.BACKUP_S3_BUCKET = "no-such-bucket"
    run = backup.run(s3_policy, trigger="command")
    assert run.status == BackupRun.Status.FAILED
    assert "NoSuchBucket" in run.error and "no-such-bucket" in run.error


def test_s3_policy_needs_a_configured_bucket(settings, source_db):
    settings.BACKUP_S3_BUCKET = ""
    policy = BackupPolicy(name="s3", dbname=source_db, storage="s3", user="postgres")
    with pytest.raises(ValidationError) as caught:
        policy.full_clean()
    assert "BACKUP_S3_BUCKET" in str(caught.value.message_dict["storage"])


@pytest.mark.django_db(transaction=True)
def test_killed_backup_leaves_no_object_and_maintenance_aborts_the_upload(
    source_db, s3_bucket, settings, backup_dir
):
    s = server()
    policy = BackupPolicy.objects.create(
        name="killed", host=s["host"], port=s["port"], dbname=source_db, user=s["user"]
    )
    policy.storage = "s3"
    policy.save()
    env = subprocess_env(
        DATABASE_URL=shared_database_url(), BACKUP_DIR=str(backup_dir), **s3_env(settings)
    )
    with backup_now_while_locked(policy, env) as proc:
        kill_when(
            proc,
            lambda: (
                BackupRun.objects.filter(status="running").exists()
                and _uploads(settings, s3_bucket)
            ),
            what="the upload to be under way",
        )
    stray = f"ops/backups/policy-{policy.pk}/20250101T000000Z-run-999999.dump"
    s3_client(settings).put_object(Bucket=s3_bucket, Key=stray, Body=b"PGDMP")
    # An upload of a run that is long gone (e.g. its cleanup could not reach the bucket).
    abandoned = stray.replace("999999", "999998")
    s3_client(settings).create_multipart_upload(Bucket=s3_bucket, Key=abandoned)
    removed = clean_orphans()
    run = BackupRun.objects.get()
    assert run.status == BackupRun.Status.FAILED and "died" in run.error
    # The dead run's own upload is aborted when it is declared dead; the rest by the sweep.
    assert sorted(removed) == [
        f"s3://{s3_bucket}/{abandoned} (incomplete upload)",
        f"s3://{s3_bucket}/{stray}",
    ]
    assert _uploads(settings, s3_bucket) == [] and _objects(settings, s3_bucket) == {}

    good = backup.run(policy, trigger="command")
    assert good.status == BackupRun.Status.SUCCEEDED, good.error
    assert clean_orphans() == []  # a good object is never an orphan
    assert list(_objects(settings, s3_bucket)) == [f"ops/backups/{good.file_name}"]


def test_commands_work_on_runs_in_the_bucket(s3_policy, source_db, capsys):
    call_command("backup_now", "shop")
    run = s3_policy.runs.get()
    call_command("list_backups", "shop")
    assert f"s3: {run.file_name}" in capsys.readouterr().out
    call_command("verify_backup", str(run.pk))
    assert "is intact" in capsys.readouterr().out
    target = f"{source_db}_from_s3"
    try:
        call_command("restore_backup", str(run.pk), "--into", target, "--yes-i-know")
        assert "2 tables, 750 rows" in capsys.readouterr().out
    finally:
        drop_database(target)


@pytest.mark.django_db(transaction=True)
def test_bucket_lost_mid_backup_fails_the_run_and_opens_an_incident(
    source_db, settings, backup_dir
):
    s = server()
    policy = BackupPolicy.objects.create(name="lost", dbname=source_db, storage="s3", **s)
    with s3_server() as (url, proc):
        settings.BACKUP_S3_ENDPOINT_URL = url
        settings.BACKUP_S3_BUCKET = "lost"
        settings.BACKUP_S3_REGION = "us-east-1"
        settings.BACKUP_S3_ACCESS_KEY_ID = "test-key"
        settings.BACKUP_S3_SECRET_ACCESS_KEY = "test-secret"
        s3_client(settings).create_bucket(Bucket="lost")
        with psycopg.connect(**s, dbname=source_db) as locker:
            # pg_dump waits on this lock after the upload has been started.
            locker.execute("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE")
            result: list[BackupRun] = []

            def back_up() -> None:
                try:
                    result.append(backup.run(policy, trigger="command"))
                finally:
                    connection.close()  # this thread's own connection

            worker = threading.Thread(target=back_up)
            worker.start()
            wait_until(lambda: _uploads(settings, "lost"), timeout=30, what="the upload")
            proc.kill()  # the store goes away with the upload open
            proc.wait()
            locker.rollback()
        worker.join(120)
    run = result[0]
    assert run.status == BackupRun.Status.FAILED
    assert run.error.startswith("S3 storage error while uploading part 1 (bucket 'lost')")
    assert run.sha256 == "" and run.file_name == ""
    assert Incident.objects.filter(cause=policy.cause, resolved_at__isnull=True).exists()


def test_switching_a_policy_to_s3_keeps_older_runs_where_they_are(
    policy, s3_bucket, settings, backup_dir
):
    local = backup.run(policy, trigger="command")
    policy.storage = BackupPolicy.Storage.S3
    policy.save()
    remote = backup.run(policy, trigger="command")
    assert (local.storage, remote.storage) == ("local", "s3")
    assert backup.verify(local) is True and backup.verify(remote) is True
    assert run_storage(local).path(local.file_name).exists()

    policy.keep_last, policy.keep_daily_days, policy.keep_weekly_weeks = 1, 0, 0
    policy.save()
    third = backup.run(policy, trigger="command")
    # Retention removed each file where its run wrote it.
    assert not (backup_dir / local.file_name).exists()
    assert list(_objects(settings, s3_bucket)) == [f"ops/backups/{third.file_name}"]


def test_a_deleted_object_fails_the_check_as_missing(s3_policy, s3_bucket, settings):
    run = backup.run(s3_policy, trigger="command")
    s3_client(settings).delete_object(Bucket=s3_bucket, Key=f"ops/backups/{run.file_name}")
    assert backup.verify(run) is False
    check = restore_check(s3_policy, trigger="command")
    assert check.status == RestoreCheck.Status.FAILED
    assert check.error == f"the file of backup run {run.pk} is missing: {run.file_name}"


def test_a_stream_of_exactly_one_part_uploads_one_part(s3_bucket, settings, backup_dir):
    from apps.backups.s3 import MultipartWriter, django_storage

    writer = MultipartWriter(django_storage().bucket, "ops/backups/exact", 5 << 20, backup_dir)
    for _ in range(5):
        writer.write(b"x" * (1 << 20))  # the fifth write fills the part and ships it
    digest = writer.finish()
    writer.complete()
    writer.close()
    head = s3_client(settings).head_object(Bucket=s3_bucket, Key="ops/backups/exact")
    assert head["ContentLength"] == 5 << 20 and head["ETag"].strip('"').endswith("-1")
    assert digest == hashlib.sha256(b"x" * (5 << 20)).hexdigest()


def test_objects_carry_encryption_and_storage_class(s3_policy, s3_bucket, settings):
    settings.BACKUP_S3_SSE = "AES256"
    settings.BACKUP_S3_STORAGE_CLASS = "STANDARD_IA"
    run = backup.run(s3_policy, trigger="command")
    head = s3_client(settings).head_object(Bucket=s3_bucket, Key=f"ops/backups/{run.file_name}")
    assert head["ServerSideEncryption"] == "AES256"
    assert head["StorageClass"] == "STANDARD_IA"
    assert restore_check(s3_policy, trigger="command").status == RestoreCheck.Status.PASSED


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_backs_up_into_the_bucket(source_db, s3_bucket, settings, backup_dir):
    s = server()
    policy = BackupPolicy.objects.create(name="worker-s3", dbname=source_db, **s)
    policy.storage = "s3"
    policy.save()
    with backups_worker(settings, backup_dir, **s3_env(settings)):
        run = queue_backup(policy, trigger="api")
        wait_until(
            lambda: BackupRun.objects.get(pk=run.pk).status == "succeeded",
            timeout=90,
            what="the worker's backup",
        )
    run.refresh_from_db()
    assert run.storage == "s3" and run.bytes_done == run.size_bytes
    data = _objects(settings, s3_bucket)[f"ops/backups/{run.file_name}"]
    assert hashlib.sha256(data).hexdigest() == run.sha256
