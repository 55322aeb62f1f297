"""Runbooks: markdown rendered safely, found by an incident's cause.

The markdown is parsed with raw HTML turned off and the output is cleaned again with nh3
(an allow-list sanitiser), so a runbook can never carry script into the admin. No template
engine ever sees runbook text.
"""

from fnmatch import fnmatchcase

import nh3
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from apps.routines.models import Runbook

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "del",
}  # fmt: skip


def render_markdown(text: str) -> SafeString:
    """HTML for `text`, safe to put in a page as is."""
    html = _markdown.render(text or "")
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}, "code": {"class"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


def runbook_for_cause(cause: str) -> Runbook | None:
    """The runbook for an incident cause: attached to the monitor or alert rule named by the
    cause ("monitor:42", "resource:disk"), else the first whose cause pattern matches."""
    if not cause:
        return None
    attached = _attached_runbook(cause)
    if attached is not None:
        return attached
    for runbook in Runbook.objects.exclude(cause_patterns="").order_by("title", "id"):
        if any(fnmatchcase(cause, pattern) for pattern in runbook.patterns):
            return runbook
    return None


def runbooks_for(obj: Model) -> list[Runbook]:
    """Runbooks attached to `obj` (a monitor, a resource rule, a service...)."""
    kind = ContentType.objects.get_for_model(obj)
    return list(
        Runbook.objects.filter(
            attachments__target_type=kind, attachments__target_id=str(obj.pk)
        ).distinct()
    )


def _attached_runbook(cause: str) -> Runbook | None:
    # Causes name their source: "monitor:<id>" for a monitor, "resource:<key>" for a rule.
    prefix, _, rest = cause.partition(":")
    if prefix == "monitor" and rest.isdigit():
        target = ("monitoring", "monitor", rest)
    elif prefix == "resource" and rest:
        target = _resource_rule(rest)
    else:
        return None
    if target is None:
        return None
    app_label, model, pk = target
    return (
        Runbook.objects.filter(
            attachments__target_type__app_label=app_label,
            attachments__target_type__model=model,
            attachments__target_id=pk,
        )
        .order_by("title")
        .first()
    )


def _resource_rule(key: str) -> tuple[str, str, str] | None:
    from django.apps import apps

    try:
        rule_model = apps.get_model("incidents", "ResourceRule")
    except LookupError:
        return None
    pk = rule_model.objects.filter(key=key).values_list("pk", flat=True).first()
    return ("incidents", "resourcerule", str(pk)) if pk is not None else None


def runbook_url(runbook: Runbook) -> str:
    return f"{settings.PORTAL_URL.rstrip('/')}/routines/runbooks/{runbook.slug}/"


def runbook_for_incident(incident: Model) -> dict | None:
    """What a notification or an incident page shows: title, link and the markdown text."""
    runbook = runbook_for_cause(getattr(incident, "cause", ""))
    if runbook is None:
        return None
    return {"title": runbook.title, "url": runbook_url(runbook), "text": runbook.body}
