"""Resource alert rules on the portal's own host and database.

`decide` is the pure state machine (value, threshold, breach start, duration -> new breach
start and whether the rule fires); `evaluate_all` samples with psutil and the database and
feeds the intake.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import psutil
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.incidents.intake import report_problem, report_recovery
from apps.incidents.models import ResourceRule

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decision:
    breaching_since: datetime | None
    firing: bool


def decide(
    value: float | None,
    threshold: float,
    breaching_since: datetime | None,
    for_duration: timedelta,
    now: datetime,
) -> Decision:
    """Above the threshold for at least `for_duration` fires; at or below it clears.

    An unknown value (the metric could not be read) keeps the current state.
    """
    if value is None:
        since = breaching_since
        return Decision(since, since is not None and now - since >= for_duration)
    if value <= threshold:
        return Decision(None, False)
    since = breaching_since or now
    return Decision(since, now - since >= for_duration)


def sample(rule: ResourceRule) -> float | None:
    """The rule's metric in percent now, or None when it cannot be measured here."""
    if rule.metric == ResourceRule.Metric.CPU:
        # Sampled over a short interval: a first call with interval=None always says 0.
        return psutil.cpu_percent(interval=settings.RESOURCE_CPU_SAMPLE_SECONDS)
    if rule.metric == ResourceRule.Metric.MEMORY:
        return psutil.virtual_memory().percent
    if rule.metric == ResourceRule.Metric.DISK:
        try:
            return psutil.disk_usage(rule.path or str(settings.VAR_DIR)).percent
        except OSError:
            log.warning("disk rule %s: cannot read %s", rule.key, rule.path)
            return None
    if rule.metric == ResourceRule.Metric.DB_CONNECTIONS:
        return db_connections_percent()
    return None


def db_connections_percent() -> float | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), current_setting('max_connections')::int FROM pg_stat_activity"
        )
        used, maximum = cursor.fetchone()
    return 100.0 * used / maximum if maximum else None


def evaluate(rule: ResourceRule, value: float | None, *, now: datetime | None = None) -> Decision:
    """Store the decision for one sampled value and open or resolve the rule's incident."""
    now = now or timezone.now()
    decision = decide(value, rule.threshold, rule.breaching_since, rule.for_duration, now)
    ResourceRule.objects.filter(pk=rule.pk).update(
        breaching_since=decision.breaching_since,
        last_value=value if value is not None else rule.last_value,
        last_evaluated_at=now,
    )
    rule.breaching_since = decision.breaching_since
    if decision.firing:
        report_problem(
            rule.cause,
            f"{rule.get_metric_display()} above {rule.threshold:g} %",
            severity=rule.severity,
            detail=f"{rule.get_metric_display()} is {value:.1f} %." if value is not None else "",
            now=now,
        )
    elif value is not None and decision.breaching_since is None:
        report_recovery(
            rule.cause, detail=f"{rule.get_metric_display()} is {value:.1f} %.", now=now
        )
    return decision


def evaluate_all(*, now: datetime | None = None) -> list[Decision]:
    """Sample and evaluate every enabled rule (the periodic task)."""
    now = now or timezone.now()
    return [
        evaluate(rule, sample(rule), now=now) for rule in ResourceRule.objects.filter(enabled=True)
    ]
