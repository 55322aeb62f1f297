"""Backup files in an S3-compatible bucket (AWS S3, MinIO, Ceph, Garage ...).

The connection comes from django-storages' S3Storage (settings BACKUP_S3_*); the write path is a
hand-driven multipart upload so that it keeps the guarantees of the local directory:

- a dump streams into parts of BACKUP_S3_PART_MB while it is hashed: memory stays at about two
  parts whatever the database size (one part filling, one uploading);
- an object only becomes visible when the upload is completed, and `commit()` completes it
  only after the checksum is stored on the run row — S3's equivalent of fsync + rename;
- a run that dies half-way leaves an incomplete upload, never an object under a good name;
  `clean_orphans()` aborts such uploads and deletes objects no live or good run owns.

Restores need a local file (pg_restore seeks): `fetch()` downloads into BACKUP_DIR while
hashing, so the checksum is checked on the bytes that are then restored.
"""

import functools
import hashlib
import logging
import re
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from apps.backups.errors import BackupError
from apps.backups.storage import CHUNK, FETCH_DIR

log = logging.getLogger(__name__)

MIN_PART_MB = 5  # S3's smallest part (all but the last)
RUN_IN_KEY = re.compile(r"-run-(\d+)\.")


def configured() -> bool:
    return bool(settings.BACKUP_S3_BUCKET)


class S3StorageError(BackupError):
    """The bucket could not be reached or refused a request."""


def _explain(exc: Exception, doing: str) -> S3StorageError:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        reason = f"{error.get('Code', '?')}: {error.get('Message', '') or exc}"
    else:
        reason = str(exc)
    return S3StorageError(
        f"S3 storage error while {doing} (bucket {settings.BACKUP_S3_BUCKET!r}): {reason}"
    )


@contextmanager
def _s3_errors(doing: str) -> Iterator[None]:
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise _explain(exc, doing) from None


@functools.lru_cache(maxsize=4)
def _storage(*config: str):  # noqa: ANN202
    from storages.backends.s3 import S3Storage

    bucket, prefix, endpoint, region, key_id, secret, style = config

    return S3Storage(
        bucket_name=bucket,
        location=prefix,
        endpoint_url=endpoint or None,
        region_name=region or None,
        access_key=key_id or None,
        secret_key=secret or None,
        addressing_style=style or None,
        file_overwrite=True,
        default_acl=None,
        querystring_auth=False,
    )


def django_storage():  # noqa: ANN201 - storages.backends.s3.S3Storage
    """The configured django-storages backend (cached per configuration)."""
    if not configured():
        raise BackupError(
            "this policy stores its backups in S3 but BACKUP_S3_BUCKET is not set on this worker"
        )
    return _storage(
        settings.BACKUP_S3_BUCKET,
        settings.BACKUP_S3_PREFIX,
        settings.BACKUP_S3_ENDPOINT_URL,
        settings.BACKUP_S3_REGION,
        settings.BACKUP_S3_ACCESS_KEY_ID,
        settings.BACKUP_S3_SECRET_ACCESS_KEY,
        settings.BACKUP_S3_ADDRESSING_STYLE,
    )


def key_for(name: str) -> str:
    prefix = settings.BACKUP_S3_PREFIX
    return f"{prefix}/{name}" if prefix else name


def object_options() -> dict[str, str]:
    """What every backup object is written with (BACKUP_S3_SSE, BACKUP_S3_STORAGE_CLASS)."""
    options = {}
    if settings.BACKUP_S3_SSE:
        options["ServerSideEncryption"] = settings.BACKUP_S3_SSE
    if settings.BACKUP_S3_STORAGE_CLASS:
        options["StorageClass"] = settings.BACKUP_S3_STORAGE_CLASS
    return options


def part_size() -> int:
    megabytes = settings.BACKUP_S3_PART_MB
    if megabytes < MIN_PART_MB:
        raise BackupError(f"BACKUP_S3_PART_MB must be at least {MIN_PART_MB} (S3's minimum part)")
    return megabytes << 20


class MultipartWriter:
    """A write-only stream that hashes, counts and uploads in parts; see the module doc."""

    def __init__(self, bucket, key: str, part_bytes: int, scratch: Path) -> None:  # noqa: ANN001
        self.key = key
        self.scratch = scratch  # local path for the SQLite copy the online backup API needs
        self.sha256 = hashlib.sha256()
        self.size = 0
        self._part_bytes = part_bytes
        self._buffer = bytearray()
        self._parts: list[dict] = []
        self._pending: tuple[int, Future] | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="s3-part")
        self._completed = False
        with _s3_errors("starting the upload"):
            self._upload = bucket.Object(key).initiate_multipart_upload(**object_options())
        self._client = bucket.meta.client

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        self._buffer += data
        if len(self._buffer) >= self._part_bytes:
            self._ship()
        return len(data)

    def flush(self) -> None:
        """Parts go out when full; flushing a partial part would break S3's 5 MiB minimum."""

    def _ship(self) -> None:
        body, self._buffer = bytes(self._buffer), bytearray()
        self._wait()  # at most one part in flight: memory stays at about two parts
        number = len(self._parts) + 1
        # The low-level client is thread-safe (boto3 resources are not): the part goes up on it.
        upload = self._client.upload_part
        job = self._pool.submit(
            upload,
            Bucket=self._upload.bucket_name,
            Key=self.key,
            UploadId=self._upload.id,
            PartNumber=number,
            Body=body,
        )
        self._pending = (number, job)

    def _wait(self) -> None:
        if self._pending is None:
            return
        (number, pending), self._pending = self._pending, None
        with _s3_errors(f"uploading part {number}"):
            response = pending.result()
        self._parts.append({"ETag": response["ETag"], "PartNumber": number})

    def finish(self) -> str:
        """Upload what is left and wait for it; the object is not visible yet. Returns SHA-256."""
        if self._buffer or (not self._parts and self._pending is None):
            self._ship()  # the rest, or the one (empty) part of an empty stream
        self._wait()
        return self.sha256.hexdigest()

    def complete(self) -> None:
        with _s3_errors("completing the upload"):
            self._upload.complete(MultipartUpload={"Parts": self._parts})
        self._completed = True
        self._pool.shutdown(wait=False)

    def close(self) -> None:
        """Abandon the upload unless it was completed (S3 keeps no trace of an aborted one)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        if not self._completed:
            try:
                self._upload.abort()
            except (ClientError, BotoCoreError):
                log.warning("could not abort the upload of %s; maintenance will", self.key)


class S3BackupStorage:
    """The S3 counterpart of storage.LocalStorage for one policy's folder."""

    def __init__(self, local, folder: str) -> None:  # noqa: ANN001 - storage.LocalStorage
        self.local = local  # scratch space: SQLite copies, downloads for restores
        self.folder = folder
        self.backend = django_storage()

    def final_name(self, run_id: int, started: datetime, extension: str) -> str:
        return self.local.final_name(run_id, started, extension)

    def open_writer(self, run_id: int, name: str) -> MultipartWriter:
        self.discard(run_id)  # a redelivered task starts over
        return MultipartWriter(
            self.backend.bucket,
            key_for(name),
            part_size(),
            self.local.partial_path(run_id, "sqlite3"),
        )

    def commit(self, writer: MultipartWriter, name: str) -> None:
        writer.complete()

    def discard(self, run_id: int) -> None:
        self.local.discard(run_id)
        for upload in list_uploads(self.backend, f"{key_for(self.folder)}/"):
            match = RUN_IN_KEY.search(upload["Key"])
            if match and int(match.group(1)) == run_id:
                abort_upload(upload)

    def delete(self, name: str) -> None:
        if name:
            with _s3_errors(f"deleting {name}"):
                self.backend.delete(name)

    def exists(self, name: str) -> bool:
        with _s3_errors(f"looking for {name}"):
            return self.backend.exists(name)

    def open(self, name: str) -> BinaryIO:
        """A streaming read of the object; FileNotFoundError when it is gone."""
        try:
            return self.backend.bucket.Object(key_for(name)).get()["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(name) from None
            raise _explain(exc, f"reading {name}") from None
        except BotoCoreError as exc:
            raise _explain(exc, f"reading {name}") from None

    def checksum(self, name: str, progress: Callable[[int], None] | None = None) -> str:
        digest = hashlib.sha256()
        body = self.open(name)
        try:
            with _s3_errors(f"reading {name}"):
                while chunk := body.read(CHUNK):
                    digest.update(chunk)
                    if progress:
                        progress(len(chunk))
        finally:
            body.close()
        return digest.hexdigest()

    @contextmanager
    def fetch(self, name: str, progress: Callable[[int], None] | None = None) -> Iterator:
        """Download to a local temporary file while hashing; yields (path, sha256)."""
        folder = Path(settings.BACKUP_DIR) / FETCH_DIR
        folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f"{self.folder}-") as handle:
            body = self.open(name)
            try:
                with _s3_errors(f"downloading {name}"):
                    while chunk := body.read(CHUNK):
                        handle.write(chunk)
                        digest.update(chunk)
                        if progress:
                            progress(len(chunk))
            finally:
                body.close()
            handle.flush()
            yield Path(handle.name), digest.hexdigest()


def list_uploads(backend, prefix: str) -> list[dict]:  # noqa: ANN001
    client = backend.connection.meta.client
    uploads: list[dict] = []
    with _s3_errors("listing incomplete uploads"):
        for page in client.get_paginator("list_multipart_uploads").paginate(
            Bucket=backend.bucket_name, Prefix=prefix
        ):
            uploads.extend(page.get("Uploads", []))
    return uploads


def abort_upload(upload: dict) -> None:
    backend = django_storage()
    with _s3_errors(f"aborting the upload of {upload['Key']}"):
        backend.connection.meta.client.abort_multipart_upload(
            Bucket=backend.bucket_name, Key=upload["Key"], UploadId=upload["UploadId"]
        )


def clean_orphans(active: set[int], good: set[str]) -> list[str]:
    """Abort uploads of runs no longer active, delete objects no good run owns; returns them."""
    backend = django_storage()
    prefix = key_for("policy-")
    removed = []
    for upload in list_uploads(backend, prefix):
        match = RUN_IN_KEY.search(upload["Key"])
        if match and int(match.group(1)) in active:
            continue
        abort_upload(upload)
        removed.append(f"s3://{backend.bucket_name}/{upload['Key']} (incomplete upload)")
        log.info("aborted orphan upload %s", upload["Key"])
    client = backend.connection.meta.client
    strip = len(key_for(""))
    with _s3_errors("listing backup objects"):
        for page in client.get_paginator("list_objects_v2").paginate(
            Bucket=backend.bucket_name, Prefix=prefix
        ):
            for item in page.get("Contents", []):
                name = item["Key"][strip:]
                if name in good or "/" not in name:
                    continue
                client.delete_object(Bucket=backend.bucket_name, Key=item["Key"])
                removed.append(f"s3://{backend.bucket_name}/{item['Key']}")
                log.info("removed orphan backup object %s", item["Key"])
    return removed
