"""Filters the dashboard templates share: states as icon + text, percentages, durations."""

from datetime import timedelta

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# state -> (icon, css family); the icon and the text carry the meaning, the colour repeats it.
ICONS = {
    "up": ("\u2714", "good"),
    "succeeded": ("\u2714", "good"),
    "passed": ("\u2714", "good"),
    "ok": ("\u2714", "good"),
    "resolved": ("\u2714", "good"),
    "down": ("\u2716", "bad"),
    "failed": ("\u2716", "bad"),
    "abandoned": ("\u2716", "bad"),
    "fail": ("\u2716", "bad"),
    "degraded": ("\u26a0", "warn"),
    "impacted": ("\u26a0", "warn"),
    "investigating": ("\u26a0", "warn"),
    "identified": ("\u26a0", "warn"),
    "monitoring": ("\u26a0", "warn"),
    "maintenance": ("\u2699", "info"),
    "paused": ("\u23f8", "muted"),
    "running": ("\u21bb", "info"),
    "queued": ("\u2026", "muted"),
    "pending": ("\u2026", "muted"),
}


@register.filter
def state(value: str, label: str = "") -> SafeString:
    """<span class="state state-bad">✖ down</span>"""
    icon, family = ICONS.get(str(value), ("\u2022", "muted"))
    return format_html(
        '<span class="state state-{} state-{}"><span aria-hidden="true">{}</span> {}</span>',
        family,
        value,
        icon,
        label or value,
    )


@register.filter
def pct(ratio: float | None, digits: int = 3) -> str:
    return "no data" if ratio is None else f"{ratio * 100:.{int(digits)}f} %"


@register.filter
def ok_state(ok: bool) -> SafeString:
    return state("ok", "pass") if ok else state("fail", "FAIL")


@register.filter
def minutes(value: float | None) -> str:
    if value is None:
        return "\u2013"
    return f"{value:.0f} min" if value < 120 else f"{value / 60:.1f} h"


@register.filter
def age(delta: timedelta | None) -> str:
    """A compact age: 45 s, 12 min, 5.2 h, 3.1 d."""
    if delta is None:
        return "\u2013"
    seconds = delta.total_seconds()
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


@register.filter
def get_item(mapping: dict | None, key: object) -> object:
    return None if mapping is None else mapping.get(key)


@register.simple_tag
def admin_change(obj: object) -> str:
    """The admin change page of a row (the admin index when its model has no admin)."""
    from apps.dashboards.links import admin_url

    meta = obj._meta
    return admin_url(meta.app_label, meta.model_name, "change", obj.pk)


@register.filter
def div60(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60
