"""Errors of the backups domain; each message tells the operator what to do."""

from apps.core.errors import Conflict, PortalError


class BackupError(PortalError):
    """A backup, verification or restore that could not be done."""


class CredentialError(BackupError):
    pass


class AlreadyRunning(Conflict):
    pass


class NoGoodBackup(BackupError):
    status = 409
