"""Checks a monitor's configuration before it is saved (admin forms and the API share it)."""

from django.core.exceptions import ValidationError

from apps.monitoring.guard import ProbeRefused, check_url
from apps.monitoring.schedule import BadSchedule, validate_schedule


def monitor_errors(monitor) -> dict[str, str]:  # noqa: ANN001 - a Monitor, maybe unsaved
    """Field name -> message for everything wrong with `monitor` (empty when it is fine)."""
    errors: dict[str, str] = {}
    kind, target = monitor.kind, (monitor.target or "").strip()
    if kind == "heartbeat":
        try:
            validate_schedule(monitor.cron, monitor.tz)
        except BadSchedule as exc:
            errors["cron" if monitor.cron and "time zone" not in str(exc) else "tz"] = str(exc)
        return errors
    if not target:
        errors["target"] = "a target is required for this kind of monitor"
    elif kind == "http":
        try:
            check_url(target)
        except ProbeRefused as exc:
            errors["target"] = str(exc)
    elif kind == "tcp":
        host, sep, port = target.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            errors["target"] = "a TCP target is host:port, e.g. db.internal:5432"
    elif kind == "postgres" and not target.startswith(("postgres://", "postgresql://")):
        errors["target"] = "a PostgreSQL target is a postgres:// URL"
    elif kind == "redis" and not target.startswith(("redis://", "rediss://")):
        errors["target"] = "a Redis target is a redis:// URL"
    if monitor.interval_seconds is not None and monitor.interval_seconds < 10:
        errors["interval_seconds"] = "the interval is at least 10 seconds"
    if monitor.timeout_seconds is not None and monitor.timeout_seconds >= monitor.interval_seconds:
        errors["timeout_seconds"] = "the timeout must be shorter than the interval"
    if monitor.json_path and not monitor.json_value:
        errors["json_value"] = "give the value expected at json_path"
    return errors


def validate_monitor(monitor) -> None:  # noqa: ANN001
    errors = monitor_errors(monitor)
    if errors:
        raise ValidationError(errors)
