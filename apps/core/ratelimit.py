"""Per-address rate limits on the ping and API endpoints, shared across processes.

Counters live in the cache: Redis when `REDIS_URL` is set (shared by every gunicorn worker and
host), the local-memory cache otherwise (per process, in the embedded default). A fixed
window per minute keeps it to one round trip; when the cache is down the limit fails open,
because refusing every ping would be worse than allowing a burst.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse

from apps.core.clientip import client_ip

log = logging.getLogger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    def __str__(self) -> str:
        unit = {1: "second", 60: "minute", 3600: "hour"}[self.seconds]
        return f"{self.count} requests per {unit}"


def parse_rate(text: str) -> Rate | None:
    """`"60/m"` -> Rate(60, 60); `""` or `"0"` -> None (no limit)."""
    text = text.strip()
    if text in ("", "0"):
        return None
    count, _, unit = text.partition("/")
    if unit not in _UNITS or not count.isdigit() or int(count) < 1:
        raise ValueError(f"a rate looks like 60/m (count per s, m or h), not {text!r}")
    return Rate(int(count), _UNITS[unit])


@lru_cache(maxsize=8)
def configured_rate(text: str) -> Rate | None:
    """The Rate a setting such as RATELIMIT_PING names (parsed once per distinct value)."""
    return parse_rate(text)


def hit(scope: str, key: str, rate: Rate, now: float | None = None) -> tuple[bool, int]:
    """Count one request; returns (allowed, seconds until the window resets)."""
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    reset = rate.seconds - int(now % rate.seconds)
    cache_key = f"rl:{scope}:{key}:{window}"
    try:
        client = getattr(cache, "_cache", None)
        if client is not None and hasattr(client, "get_client"):
            redis = client.get_client(cache_key, write=True)
            full_key = cache.make_and_validate_key(cache_key)
            with redis.pipeline(transaction=False) as pipe:
                pipe.incr(full_key)
                pipe.expire(full_key, rate.seconds + 1, nx=True)
                count = pipe.execute()[0]
        else:
            cache.add(cache_key, 0, rate.seconds + 1)
            count = cache.incr(cache_key)
    except Exception:
        log.warning("rate limit store unavailable; allowing the request", exc_info=True)
        return True, reset
    return count <= rate.count, reset


class RateLimitMiddleware:
    """Applies RATELIMIT_PING to /ping/ and RATELIMIT_API to /api/, keyed by client address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rules = (
            ("ping", "/ping/", configured_rate(settings.RATELIMIT_PING)),
            ("api", "/api/", configured_rate(settings.RATELIMIT_API)),
        )
        for scope, prefix, rate in rules:
            if rate is not None and request.path.startswith(prefix):
                allowed, reset = hit(scope, client_ip(request), rate)
                if not allowed:
                    response = JsonResponse(
                        {"error": f"rate limit exceeded: {rate} per address", "fields": {}},
                        status=429,
                    )
                    response["Retry-After"] = str(reset)
                    return response
                break
        return self.get_response(request)
