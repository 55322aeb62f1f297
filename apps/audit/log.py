"""`record()`: the one way to write to the audit log (other apps call it too).

Actions are dotted words: `admin.add`, `admin.change`, `admin.delete`, `auth.login`,
`auth.login_failed`, `auth.logout`, `job.trigger`, `export.download`, `backup.restore`...
"""

import logging
from typing import Any

from django.db import models

from apps.audit.models import AuditEntry
from apps.core.clientip import client_ip

log = logging.getLogger(__name__)

# Field names whose values never go into the audit log (hashes, tokens, keys).
SECRET_MARKERS = ("password", "secret", "token", "api_key", "private_key", "credential")


def redact(data: dict[str, Any]) -> dict[str, Any]:
    return {
        key: ("***" if any(m in key.lower() for m in SECRET_MARKERS) else value)
        for key, value in data.items()
    }


def _client_ip(request) -> str | None:  # noqa: ANN001
    # X-Forwarded-For is believed only from TRUSTED_PROXIES (apps.core.clientip).
    if request is None:
        return None
    return client_ip(request) or None


def record(
    action: str,
    *,
    actor=None,  # noqa: ANN001
    target: models.Model | None = None,
    detail: dict | None = None,
    request=None,  # noqa: ANN001
) -> AuditEntry:
    """Append one entry. `actor` defaults to the request's user; anonymous means nobody."""
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    entry = AuditEntry(
        action=action,
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        detail=detail or {},
        ip=_client_ip(request),
    )
    if target is not None:
        entry.target_type = target._meta.label_lower
        entry.target_id = str(target.pk) if target.pk is not None else ""
        entry.target_repr = str(target)[:200]
    entry.save()
    return entry
