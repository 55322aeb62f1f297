"""Creating and changing backup policies from plain values (the API; the admin uses its form)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.backups.credentials import encrypt_password
from apps.backups.models import BackupPolicy
from apps.core.errors import PortalError
from apps.monitoring.models import Service

RETENTION_FIELDS = ("keep_last", "keep_daily_days", "keep_weekly_weeks")


def apply_changes(policy: BackupPolicy, data: dict[str, Any]) -> BackupPolicy:
    """Validate and save `data` onto `policy`; PortalError with per-field messages if invalid.

    `password` is encrypted before it touches the row; `service` is a slug; `retention` is a
    dict of keep_last / keep_daily_days / keep_weekly_weeks; `assertions` a list of queries.
    """
    data = dict(data)
    if "service" in data:
        slug = data.pop("service")
        service = Service.objects.filter(slug=slug).first() if slug else None
        if slug and service is None:
            raise PortalError("invalid input", fields={"service": f"no service {slug!r}"})
        policy.service = service
    if "password" in data:
        clear = data.pop("password")
        policy.password_encrypted = encrypt_password(clear) if clear else ""
    if data.get("password_env"):
        policy.password_encrypted = ""
    for key, value in (data.pop("retention", None) or {}).items():
        if key in RETENTION_FIELDS and value is not None:
            setattr(policy, key, value)
    if "assertions" in data:
        policy.assertions = "\n".join(q.strip() for q in data.pop("assertions") if q.strip())
    if "timezone" in data:
        policy.schedule_timezone = data.pop("timezone")
    for key, value in data.items():
        setattr(policy, key, value)
    try:
        policy.full_clean()
    except ValidationError as exc:
        fields = {name: " ".join(messages) for name, messages in exc.message_dict.items()}
        raise PortalError("invalid input", fields=fields) from None
    with transaction.atomic():
        policy.save()
    return policy
