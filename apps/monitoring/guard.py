"""Keeps probes from becoming a weapon (SSRF): allowed schemes and destination addresses.

Only http and https URLs are fetched. A destination address is refused when it lies in
MONITORING_DENIED_NETWORKS (link-local and the cloud metadata addresses by default) unless it
also lies in MONITORING_ALLOWED_NETWORKS; unspecified and multicast addresses are always
refused. Loopback and private networks are allowed by default because a portal usually
watches its neighbours; add them to the denied list to forbid them. Every resolved address
and every redirect hop is checked (see probes.py).
"""

import ipaddress
import socket
from functools import lru_cache
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from django.conf import settings

ALLOWED_SCHEMES = ("http", "https")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ProbeRefused(Exception):
    """The probe's destination is not allowed; the message says why."""


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def check_address(address: str) -> None:
    """Raise ProbeRefused unless a probe may connect to the IP address `address`."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        raise ProbeRefused(f"{address!r} is not an IP address") from None
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if ip.is_unspecified or ip.is_multicast:
        raise ProbeRefused(f"destination {ip} is not a host address")
    allowed = _networks(tuple(settings.MONITORING_ALLOWED_NETWORKS))
    if any(ip in net for net in allowed):
        return
    if any(ip in net for net in _networks(tuple(settings.MONITORING_DENIED_NETWORKS))):
        raise ProbeRefused(
            f"destination {ip} is refused (MONITORING_DENIED_NETWORKS; allow it explicitly "
            "with MONITORING_ALLOWED_NETWORKS)"
        )


def check_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL; IP literals are checked at once."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise ProbeRefused(f"only http and https URLs are probed, not {scheme or 'no scheme'!r}")
    if not parts.hostname:
        raise ProbeRefused("the URL has no host")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise ProbeRefused("the URL's port is not a number between 0 and 65535") from None
    if _is_ip(parts.hostname):
        check_address(parts.hostname)
    return scheme, parts.hostname, port


def resolve_checked(host: str, port: int) -> list[str]:
    """Resolve `host` (blocking) and check every address; refuse if any is denied."""
    if _is_ip(host):
        check_address(host)
        return [host]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ProbeRefused(f"cannot resolve {host}: {exc.strerror}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        check_address(address)
    return addresses


class GuardedResolver(AbstractResolver):
    """aiohttp resolver that refuses a name if any of its addresses is denied.

    Checking all of them (not just the one used) closes the door on DNS answers that mix
    an allowed and a denied address.
    """

    def __init__(self) -> None:
        self._inner = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        for result in results:
            check_address(result["host"])
        return results

    async def close(self) -> None:
        await self._inner.close()


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True
