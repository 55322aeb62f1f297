"""Move every row of the embedded SQLite database into an empty, migrated PostgreSQL database.

The target is added as a second connection at runtime. In one transaction on the target:
the rows a fresh `migrate` wrote there (content types, permissions, default schedules...) are
truncated, every table is copied in foreign-key order in batches (bounded memory: one batch
in flight), sequences are reset past the copied ids, and row counts are compared table by
table before the commit. Any difference rolls everything back. The SQLite side is only read.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import dj_database_url
from django.apps import apps
from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.db.migrations.executor import MigrationExecutor

from apps.core.errors import PortalError

TARGET = "move_target"
BATCH = 2000


class MoveError(PortalError):
    """The move cannot start or did not verify; nothing was committed on the target."""


@dataclass
class TableCount:
    table: str
    source: int
    target: int = -1

    @property
    def ok(self) -> bool:
        return self.source == self.target


def add_target(url: str, alias: str = TARGET) -> str:
    """Register `url` as connection `alias`; refuses anything but a PostgreSQL URL."""
    try:
        config = dj_database_url.parse(url, conn_max_age=0)
    except ValueError as exc:
        raise MoveError(f"cannot read the database URL: {exc}") from exc
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise MoveError("the target must be a postgres:// URL")
    if not config.get("NAME"):
        raise MoveError("the target URL names no database (postgres://user@host:5432/NAME)")
    config.setdefault("OPTIONS", {})["connect_timeout"] = 10
    # configure_settings fills Django's per-connection defaults; it insists on a "default".
    filled = connections.configure_settings({"default": {"ENGINE": "x"}, alias: config})
    connections.settings[alias] = filled[alias]
    return alias


def copied_models() -> list[type[models.Model]]:
    """Every concrete table (many-to-many tables included) in foreign-key dependency order."""
    tables = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]
    ordered: list[type[models.Model]] = []
    seen: set[type[models.Model]] = set()

    def visit(model: type[models.Model], path: tuple) -> None:
        if model in seen or model in path:
            return  # a cycle: deferred FK constraints let either order commit
        for field in model._meta.local_fields:
            target = getattr(field, "related_model", None)
            if field.is_relation and target is not None and target is not model:
                visit(target._meta.concrete_model, (*path, model))
        seen.add(model)
        ordered.append(model)

    for model in sorted(tables, key=lambda m: m._meta.label):
        visit(model, ())
    return [m for m in ordered if m in tables]


def check_source(source: str = "default") -> None:
    if connections[source].vendor != "sqlite":
        raise MoveError(
            "the current database is not the embedded SQLite one (DATABASE_URL is set); "
            "unset DATABASE_URL to move the embedded data"
        )
    _check_migrated(source, "the current SQLite database", "run `manage.py migrate` first")


def check_target(alias: str = TARGET) -> None:
    try:
        connections[alias].ensure_connection()
    except Exception as exc:
        raise MoveError(f"cannot connect to the target database: {exc}") from exc
    _check_migrated(
        alias,
        "the target database",
        "run `DATABASE_URL=<target> manage.py migrate` on it first",
    )
    used = _signs_of_use(alias)
    if used:
        raise MoveError(
            "the target database is not empty (it has " + ", ".join(used) + "); "
            "move into a freshly migrated database only"
        )


def _check_migrated(alias: str, what: str, fix: str) -> None:
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise MoveError(f"{what} has {len(plan)} unapplied migration(s); {fix}")


def _signs_of_use(alias: str) -> list[str]:
    """Rows a fresh `migrate` never writes: a portal that was used has some of them."""
    found = []
    for label in ("auth.User", "admin.LogEntry", "sessions.Session", "monitoring.Service"):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        count = model._base_manager.using(alias).count()
        if count:
            found.append(f"{count} {model._meta.verbose_name_plural}")
    return found


def count_rows(model: type[models.Model], alias: str) -> int:
    return model._base_manager.using(alias).count()


def _columns(model: type[models.Model]) -> list[models.Field]:
    # Generated columns are computed by the target itself.
    return [f for f in model._meta.local_concrete_fields if not getattr(f, "generated", False)]


def _rows(model: type[models.Model], source: str) -> Iterator[list[tuple]]:
    """Batches of column values, converted for the target, read with bounded memory."""
    fields = _columns(model)
    target = connections[TARGET]
    batch: list[tuple] = []
    query = model._base_manager.using(source).order_by("pk")
    for obj in query.iterator(chunk_size=BATCH):
        # get_db_prep_save, not pre_save: auto_now fields keep their stored values.
        batch.append(
            tuple(f.get_db_prep_save(getattr(obj, f.attname), connection=target) for f in fields)
        )
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert_sql(model: type[models.Model]) -> str:
    quote = connections[TARGET].ops.quote_name
    columns = [f.column for f in _columns(model)]
    return "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )


def move(
    *, source: str = "default", progress: Callable[[str, int], None] | None = None
) -> list[TableCount]:
    """Copy every table from `source` into the target; the per-table counts it verified."""
    tables = copied_models()
    counts = [TableCount(m._meta.db_table, count_rows(m, source)) for m in tables]
    target = connections[TARGET]
    quote = target.ops.quote_name
    with transaction.atomic(using=TARGET), target.cursor() as cursor:
        names = ", ".join(quote(m._meta.db_table) for m in tables)
        cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        for model in tables:
            sql = _insert_sql(model)
            for batch in _rows(model, source):
                cursor.executemany(sql, batch)
                if progress:
                    progress(model._meta.db_table, len(batch))
        for statement in target.ops.sequence_reset_sql(no_style(), tables):
            cursor.execute(statement)
        for model, count in zip(tables, counts, strict=True):
            count.target = count_rows(model, TARGET)
        wrong = [c for c in counts if not c.ok]
        if wrong:
            detail = ", ".join(f"{c.table} {c.source} -> {c.target}" for c in wrong)
            raise MoveError(f"row counts differ, nothing was committed: {detail}")
    return counts
