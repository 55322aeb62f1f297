"""Domain errors: one base class whose message a user can act on.

The API maps them to JSON 4xx once (apps.api.api), the admin shows them as messages and
commands turn them into an exit code with the sentence.
"""


class PortalError(Exception):
    """A request the portal refuses; `status` is the HTTP status the API answers with."""

    status = 400

    def __init__(self, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(PortalError):
    status = 404


class Conflict(PortalError):
    """The request clashes with the current state (a run already in progress, a duplicate)."""

    status = 409


class Forbidden(PortalError):
    status = 403
