"""Receivers that fill the audit log: admin changes (before/after) and authentication."""

import json
from contextvars import ContextVar
from typing import Any

from django.contrib import admin
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from apps.audit.log import record, redact
from apps.audit.middleware import admin_request

# Bookkeeping the admin writes as a side effect of a change; auditing it would be noise.
NOT_AUDITED = {
    "admin.logentry",
    "sessions.session",
    "audit.auditentry",
    "jobs.jobrun",
    # django-axes' own bookkeeping of login attempts (the attempts are audited as auth.*).
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
}
IGNORED_FIELDS = {"last_login", "updated_at"}

_before: ContextVar[dict | None] = ContextVar("audit_before", default=None)


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The instance's concrete field values as JSON-safe data, secrets redacted."""
    data = {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        # An F() or other expression is not a value yet; it is resolved by the database.
        if not hasattr(getattr(instance, f.attname), "resolve_expression")
    }
    return redact(json.loads(json.dumps(data, cls=_Encoder)))


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, plus any other value (a ZoneInfo, a custom field's object) as text."""

    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in after if before.get(k) != after[k] and k not in IGNORED_FIELDS)


def _remember_before(sender, instance, raw=False, **kwargs) -> None:  # noqa: ANN001, ANN003
    if raw or admin_request.get() is None or instance._state.adding or instance.pk is None:
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    if old is not None:
        stash = dict(_before.get() or {})
        stash[(sender._meta.label_lower, str(instance.pk))] = snapshot(old)
        _before.set(stash)


def _record_save(sender, instance, created, raw=False, **kwargs) -> None:  # noqa: ANN001, ANN003
    request = admin_request.get()
    if raw or request is None:
        return
    after = snapshot(instance)
    if created:
        record("admin.add", target=instance, detail={"after": after}, request=request)
        return
    key = (sender._meta.label_lower, str(instance.pk))
    stash = dict(_before.get() or {})
    before = stash.pop(key, {})
    _before.set(stash)
    fields = changed(before, after)
    if not fields:
        return
    record(
        "admin.change",
        target=instance,
        detail={
            "fields": fields,
            "before": {k: before.get(k) for k in fields},
            "after": {k: after[k] for k in fields},
        },
        request=request,
    )


def _record_delete(sender, instance, **kwargs) -> None:  # noqa: ANN001, ANN003
    request = admin_request.get()
    if request is not None:
        record(
            "admin.delete", target=instance, detail={"before": snapshot(instance)}, request=request
        )


def _record_m2m(sender, instance, action, model, pk_set, reverse=False, **kwargs) -> None:  # noqa: ANN001, ANN003
    """Many-to-many edits (a service's tags, an incident's services) in the admin."""
    request = admin_request.get()
    if request is None or action not in ("post_add", "post_remove", "post_clear"):
        return
    field = next(
        (f.name for f in instance._meta.many_to_many if f.remote_field.through is sender),
        sender._meta.model_name,
    )
    record(
        "admin.change",
        target=instance,
        detail={
            "fields": [field],
            "m2m": action.removeprefix("post_"),
            "ids": sorted(str(pk) for pk in (pk_set or ())),
        },
        request=request,
    )


def connect_admin_models() -> None:
    """Connect the change receivers to each model registered in the admin (and only those,
    so bulk deletes elsewhere keep Django's fast path)."""
    for model in admin.site._registry:
        if model._meta.label_lower in NOT_AUDITED:
            continue
        uid = f"audit:{model._meta.label_lower}"
        pre_save.connect(_remember_before, sender=model, dispatch_uid=uid)
        post_save.connect(_record_save, sender=model, dispatch_uid=uid)
        post_delete.connect(_record_delete, sender=model, dispatch_uid=uid)
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                _record_m2m, sender=field.remote_field.through, dispatch_uid=f"{uid}:{field.name}"
            )


@receiver(user_logged_in, dispatch_uid="audit:login")
def _login(sender, request, user, **kwargs) -> None:  # noqa: ANN001, ANN003
    record("auth.login", actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit:logout")
def _logout(sender, request, user, **kwargs) -> None:  # noqa: ANN001, ANN003
    if user is not None:
        record("auth.logout", actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit:login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:  # noqa: ANN001, ANN003
    # Only the user name: the credentials dict also holds the password (already masked by
    # Django, but there is no reason to keep even that).
    record(
        "auth.login_failed",
        detail={"username": str(credentials.get("username", ""))[:150]},
        request=request,
    )
