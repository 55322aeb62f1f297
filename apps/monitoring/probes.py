"""The probes themselves: async functions from a MonitorSpec to an Outcome, no ORM inside.

`probe_many` runs a batch concurrently on one event loop with one shared HTTP connection
pool, which is what lets a single worker process keep hundreds of probes a second in flight.
"""

import asyncio
import json
import os
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import aiohttp
from django.conf import settings
from django.utils import timezone

from apps.monitoring.guard import GuardedResolver, ProbeRefused, check_url, resolve_checked

REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class MonitorSpec:
    """What a probe needs to know about a monitor, as plain values."""

    id: int
    kind: str
    target: str
    timeout_seconds: float = 10.0
    method: str = "GET"
    headers: dict = field(default_factory=dict)
    expected_status: int | None = None
    keyword: str = ""
    json_path: str = ""
    json_value: str = ""

    FIELDS = (
        "id", "kind", "target", "timeout_seconds", "method", "headers",
        "expected_status", "keyword", "json_path", "json_value",
    )  # fmt: skip


@dataclass
class Outcome:
    monitor_id: int
    checked_at: datetime
    ok: bool
    latency_ms: int | None = None
    status_code: int | None = None
    error: str = ""
    tls_expires_at: datetime | None = None
    detail: str = ""


class ProbeFailed(Exception):
    """The target answered, but not as the monitor expects."""


def _ms(started: float) -> int:
    return max(0, round((time.perf_counter() - started) * 1000))


async def probe_http(session: aiohttp.ClientSession, spec: MonitorSpec, out: Outcome) -> None:
    url, method = spec.target, spec.method.upper() or "GET"
    max_body = settings.MONITORING_MAX_BODY_BYTES
    for _hop in range(settings.MONITORING_MAX_REDIRECTS + 1):
        check_url(url)
        async with session.request(
            method, url, headers=spec.headers or None, allow_redirects=False
        ) as response:
            out.status_code = response.status
            out.tls_expires_at = _peer_cert_expiry(response)
            location = response.headers.get("Location")
            if response.status in REDIRECTS and location:
                url = urljoin(url, location)
                if response.status == 303:
                    method = "GET"
                continue
            body = await response.content.read(max_body)
            _check_http(spec, response.status, body)
            return
    raise ProbeFailed(f"more than {settings.MONITORING_MAX_REDIRECTS} redirects")


def _check_http(spec: MonitorSpec, status: int, body: bytes) -> None:
    if spec.expected_status is not None:
        if status != spec.expected_status:
            raise ProbeFailed(f"status {status}, expected {spec.expected_status}")
    elif not 200 <= status < 400:
        raise ProbeFailed(f"status {status}")
    if spec.keyword and spec.keyword not in body.decode("utf-8", "replace"):
        raise ProbeFailed(f"keyword {spec.keyword!r} not found in the first {len(body)} bytes")
    if spec.json_path:
        try:
            value = json.loads(body)
            for part in spec.json_path.split("."):
                value = value[int(part)] if isinstance(value, list) else value[part]
        except (ValueError, KeyError, IndexError, TypeError):
            raise ProbeFailed(f"no JSON value at {spec.json_path}") from None
        text = value if isinstance(value, str) else json.dumps(value)
        if text != spec.json_value:
            raise ProbeFailed(f"{spec.json_path} is {text[:60]!r}, expected {spec.json_value!r}")


def _peer_cert_expiry(response: aiohttp.ClientResponse) -> datetime | None:
    connection = response.connection
    transport = connection.transport if connection else None
    ssl_object = transport.get_extra_info("ssl_object") if transport else None
    if ssl_object is None:
        return None
    cert = ssl_object.getpeercert()
    if not cert or "notAfter" not in cert:
        return None
    return datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]), tz=UTC)


def split_host_port(target: str) -> tuple[str, int]:
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ProbeRefused(f"TCP target must be host:port, not {target!r}")
    return host.strip("[]"), int(port)


async def _checked_addresses(host: str, port: int) -> list[str]:
    return await asyncio.to_thread(resolve_checked, host, port)


async def probe_tcp(spec: MonitorSpec, out: Outcome) -> None:
    host, port = split_host_port(spec.target)
    address = (await _checked_addresses(host, port))[0]
    _reader, writer = await asyncio.open_connection(address, port)
    writer.close()
    await writer.wait_closed()


async def probe_postgres(spec: MonitorSpec, out: Outcome) -> None:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(spec.target)
    host = str(params.get("host") or "127.0.0.1")
    port = int(params.get("port") or 5432)
    address = (await _checked_addresses(host, port))[0]
    timeout = max(1, round(spec.timeout_seconds))
    async with await psycopg.AsyncConnection.connect(
        spec.target, hostaddr=address, connect_timeout=timeout, autocommit=True
    ) as conn:
        await conn.execute("SELECT 1")
        cursor = await conn.execute("SELECT count(*) FROM pg_stat_activity")
        (connections,) = await cursor.fetchone()
        out.detail = f"{connections} connections"


async def probe_redis(spec: MonitorSpec, out: Outcome) -> None:
    from urllib.parse import urlsplit

    import redis.asyncio as aioredis

    parts = urlsplit(spec.target)
    if parts.scheme not in ("redis", "rediss"):
        raise ProbeRefused("Redis target must be a redis:// or rediss:// URL")
    await _checked_addresses(parts.hostname or "127.0.0.1", parts.port or 6379)
    client = aioredis.from_url(
        spec.target,
        socket_timeout=spec.timeout_seconds,
        socket_connect_timeout=spec.timeout_seconds,
    )
    try:
        if not await client.ping():
            raise ProbeFailed("PING did not answer PONG")
    finally:
        await client.aclose()


async def probe_one(
    session: aiohttp.ClientSession, spec: MonitorSpec, clock: Callable[[], datetime]
) -> Outcome:
    out = Outcome(spec.id, clock(), ok=False)
    started = time.perf_counter()
    try:
        async with asyncio.timeout(spec.timeout_seconds):
            if spec.kind == "http":
                await probe_http(session, spec, out)
            elif spec.kind == "tcp":
                await probe_tcp(spec, out)
            elif spec.kind == "postgres":
                await probe_postgres(spec, out)
            elif spec.kind == "redis":
                await probe_redis(spec, out)
            else:
                raise ProbeRefused(f"{spec.kind} monitors are not probed")
        out.ok = True
        out.latency_ms = _ms(started)
    except TimeoutError:
        out.error = f"timed out after {spec.timeout_seconds:g} s"
    except (ProbeFailed, ProbeRefused) as exc:
        out.latency_ms = _ms(started)
        out.error = str(exc)
    except aiohttp.ClientConnectorError as exc:
        out.error = f"cannot connect: {_os_reason(exc.os_error)}"
    except OSError as exc:
        out.error = f"cannot connect: {_os_reason(exc)}"
    except Exception as exc:  # every other failure is the target's, recorded as its result
        cause = exc.__cause__ if isinstance(exc.__cause__, ProbeRefused) else exc
        text = str(cause).strip().splitlines()
        out.error = f"{type(cause).__name__}: {text[0]}" if text else type(cause).__name__
    out.error = out.error[:300]
    return out


def _os_reason(exc: OSError) -> str:
    return os.strerror(exc.errno) if exc.errno else str(exc) or type(exc).__name__


async def probe_many_async(
    specs: Iterable[MonitorSpec],
    clock: Callable[[], datetime] = timezone.now,
    not_before: dict[int, datetime] | None = None,
) -> list[Outcome]:
    specs = list(specs)
    not_before = not_before or {}
    if not specs:
        return []
    limit = settings.MONITORING_CONCURRENCY
    semaphore = asyncio.Semaphore(limit)
    connector = aiohttp.TCPConnector(
        limit=limit, resolver=GuardedResolver(), ttl_dns_cache=60, enable_cleanup_closed=True
    )
    async with aiohttp.ClientSession(
        connector=connector,
        headers={"User-Agent": "OperationsPortal-probe/1"},
        auto_decompress=True,
        trust_env=False,
    ) as session:

        async def bounded(spec: MonitorSpec) -> Outcome:
            due = not_before.get(spec.id)
            if due is not None:
                wait = (due - clock()).total_seconds()
                if wait > 0:
                    await asyncio.sleep(wait)
            async with semaphore:
                return await probe_one(session, spec, clock)

        return await asyncio.gather(*(bounded(spec) for spec in specs))


def probe_many(
    specs: Iterable[MonitorSpec],
    clock: Callable[[], datetime] = timezone.now,
    not_before: dict[int, datetime] | None = None,
) -> list[Outcome]:
    """Probe every spec concurrently (at most MONITORING_CONCURRENCY at once).

    A spec with a time in `not_before` waits until then, so work claimed a little ahead
    still runs on time.
    """
    return asyncio.run(probe_many_async(specs, clock, not_before))
