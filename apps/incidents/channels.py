"""Sending one message through one channel: email, signed generic webhook, Slack webhook.

Generic webhooks carry `X-Portal-Timestamp` (Unix seconds) and `X-Portal-Signature:
sha256=<hex>`, the HMAC-SHA256 of `"<timestamp>.<body>"` with the channel's secret, so the
receiver can check both who sent it and that it is fresh (reject old timestamps to stop
replays). `verify_signature` is the receiver side, used by the tests and documented.
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email

SIGNATURE_HEADER = "X-Portal-Signature"
TIMESTAMP_HEADER = "X-Portal-Timestamp"


@dataclass
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str = ""


def validate_target(kind: str, target: str, secret: str) -> dict[str, str]:
    """Field name -> message for a channel that cannot work as configured."""
    if kind == "email":
        addresses = [a.strip() for a in target.split(",") if a.strip()]
        if not addresses:
            return {"target": "give at least one email address"}
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                return {"target": f"{address!r} is not an email address"}
        return {}
    parts = urlsplit(target.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return {"target": "a webhook needs an http:// or https:// URL"}
    if kind == "webhook" and not secret:
        return {"secret": "a generic webhook needs a secret to sign its messages"}
    return {}


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(
    secret: str, timestamp: str, signature: str, body: bytes, *, now: float, tolerance: int = 300
) -> bool:
    """Receiver side: signature matches and the timestamp is within `tolerance` seconds."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs(now - ts) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, ts, body), signature)


def send(kind: str, target: str, secret: str, message: dict) -> Outcome:
    """Deliver `message` (from notify.render) once; never raises for delivery problems."""
    if kind == "email":
        return _email(target, message)
    if kind == "slack":
        body = json.dumps({"text": message["text"]}).encode()
        return _post(target, body, {})
    body = json.dumps(message["payload"], sort_keys=True).encode()
    ts = int(time.time())
    headers = {TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: sign(secret, ts, body)}
    return _post(target, body, headers)


def _email(target: str, message: dict) -> Outcome:
    recipients = [a.strip() for a in target.split(",") if a.strip()]
    try:
        send_mail(message["subject"], message["text"], None, recipients, fail_silently=False)
    except (OSError, ValueError) as exc:
        return Outcome(False, None, f"{type(exc).__name__}: {exc}")
    return Outcome(True)


def _post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    if urlsplit(url).scheme not in ("http", "https"):
        return Outcome(False, None, "refused: only http and https URLs are allowed")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "operations-portal", **headers},
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 (scheme checked above)
            request, timeout=settings.NOTIFICATION_TIMEOUT_SECONDS
        ) as response:
            return Outcome(200 <= response.status < 300, response.status)
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode(errors="replace")
        return Outcome(False, exc.code, f"HTTP {exc.code}: {detail}".strip())
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Outcome(False, None, f"{type(exc).__name__}: {reason}")
