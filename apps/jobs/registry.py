"""Where other apps declare what the jobs app manages for them.

`register_retention` (call it from your AppConfig.ready()) says "rows of this model older
than N days may go"; the days are editable in the admin as one RetentionPolicy row per kind,
created on demand with the registered default. `register_export` declares an export kind
(CSV / JSON Lines of one model, filtered by period and optionally by service).
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class RetentionKind:
    kind: str
    model: str  # "app_label.ModelName"
    date_field: str
    default_days: int

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


@dataclass(frozen=True)
class ExportKind:
    """One exportable kind of data.

    `columns` maps an output column name to an ORM lookup path (`"service__slug"`).
    `service_field` is the lookup of the service's slug, or None when the data has no service.
    `permission` ("app.codename") is what a user needs to create and download such exports.
    """

    kind: str
    model: str
    date_field: str
    columns: dict[str, str]
    permission: str
    service_field: str | None = None
    label: str = ""
    json_columns: frozenset[str] = field(default_factory=frozenset)

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


_retention: dict[str, RetentionKind] = {}
_exports: dict[str, ExportKind] = {}


def register_retention(kind: str, model: str, date_field: str, default_days: int) -> None:
    """Declare that rows of `model` whose `date_field` is older than the kind's days may go.

    Idempotent (AppConfig.ready() may run twice); a different declaration for a known kind
    is a programming error.
    """
    entry = RetentionKind(kind, model, date_field, int(default_days))
    known = _retention.get(kind)
    if known is not None and known != entry:
        raise ValueError(f"retention kind {kind!r} is already registered as {known}")
    if entry.default_days < 1:
        raise ValueError("default_days must be at least 1")
    _retention[kind] = entry


def retention_kinds() -> dict[str, RetentionKind]:
    return dict(sorted(_retention.items()))


def get_retention(kind: str) -> RetentionKind:
    from apps.core.errors import PortalError

    try:
        return _retention[kind]
    except KeyError:
        known = ", ".join(sorted(_retention)) or "none"
        raise PortalError(f"unknown retention kind {kind!r} (known: {known})") from None


def register_export(
    kind: str,
    *,
    model: str,
    date_field: str,
    columns: dict[str, str],
    permission: str,
    service_field: str | None = None,
    label: str = "",
    json_columns: tuple[str, ...] = (),
) -> None:
    """Declare an export kind; call it from your AppConfig.ready()."""
    _exports[kind] = ExportKind(
        kind=kind,
        model=model,
        date_field=date_field,
        columns=dict(columns),
        permission=permission,
        service_field=service_field,
        label=label or kind.replace("_", " "),
        json_columns=frozenset(json_columns),
    )


def export_kinds() -> dict[str, ExportKind]:
    return dict(sorted(_exports.items()))


def get_export(kind: str) -> ExportKind:
    from apps.core.errors import PortalError

    try:
        return _exports[kind]
    except KeyError:
        known = ", ".join(sorted(_exports)) or "none"
        raise PortalError(
            f"unknown export kind {kind!r} (known: {known})", fields={"kind": "unknown"}
        ) from None
