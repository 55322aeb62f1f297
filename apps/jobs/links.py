"""Expiring signed download links for export files, bound to one user."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from apps.core.errors import Forbidden, NotFound, PortalError
from apps.jobs.models import Export
from apps.jobs.registry import get_export

SALT = "apps.jobs.export-download"


class LinkExpired(PortalError):
    status = 410


def download_path(export: Export, user) -> str:  # noqa: ANN001
    token = signing.dumps({"e": export.pk, "u": user.pk}, salt=SALT, compress=True)
    return reverse("jobs:export-download", args=[token])


def resolve(token: str, user, *, max_age: int | None = None) -> Export:  # noqa: ANN001
    """The export a link points at, if it is still valid and `user` may see its data."""
    try:
        data = signing.loads(
            token,
            salt=SALT,
            max_age=max_age if max_age is not None else settings.EXPORT_LINK_MAX_AGE,
        )
    except signing.SignatureExpired:
        raise LinkExpired("this download link has expired; ask for a new one") from None
    except signing.BadSignature:
        raise NotFound("no such download link") from None
    if user is None or not user.is_authenticated or user.pk != data.get("u"):
        raise Forbidden("this download link was made for another user")
    export = Export.objects.filter(pk=data.get("e")).first()
    if export is None:
        raise NotFound("the export no longer exists")
    if not user.has_perm(get_export(export.kind).permission):
        raise Forbidden("you may not see this data")
    if export.status == Export.Status.EXPIRED:
        raise LinkExpired("the export file has expired and was deleted")
    if export.status != Export.Status.DONE:
        raise NotFound(f"the export is not ready ({export.status})")
    return export
