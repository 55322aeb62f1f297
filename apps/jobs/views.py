"""Export download: a signed, expiring link, served only to the user it was made for."""

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpRequest, HttpResponse

from apps.api.models import ApiToken
from apps.audit.log import record
from apps.core.errors import PortalError
from apps.jobs import links
from apps.jobs.exporting import file_path


def _user(request: HttpRequest):  # noqa: ANN202
    if request.user.is_authenticated:
        return request.user
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = ApiToken.authenticate(header.removeprefix("Bearer ").strip())
        if token is not None:
            return token.user
    return None


def export_download(request: HttpRequest, token: str) -> HttpResponse:
    user = _user(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    try:
        export = links.resolve(token, user)
    except PortalError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    path = file_path(export)
    if not path.exists():
        return HttpResponse("the export file is missing", status=410, content_type="text/plain")
    record(
        "export.download",
        actor=user,
        target=export,
        request=request,
        detail={"kind": export.kind, "rows": export.rows_exported},
    )
    content_type = "text/csv" if export.format == "csv" else "application/x-ndjson"
    return FileResponse(
        open(path, "rb"),
        as_attachment=True,
        filename=path.name,  # noqa: SIM115
        content_type=content_type,
    )
