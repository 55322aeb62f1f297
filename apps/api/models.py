"""API tokens: shown once, stored as a SHA-256 hash, carrying their user's permissions."""

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "opt_"  # noqa: S105 - a label, not a secret


def hash_token(token: str) -> str:
    # Tokens are 256-bit random strings, so a fast hash is as safe as a slow one here.
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What uses this token, e.g. 'CI deploys'.")
    prefix = models.CharField(
        max_length=12, editable=False, help_text="First characters, to recognise it."
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(
        cls, user: models.Model, name: str, expires_at: datetime | None = None
    ) -> tuple["ApiToken", str]:
        """Create a token for `user`; returns the row and the clear token (never stored)."""
        token = cls(user=user, name=name, expires_at=expires_at)
        clear = token.set_new_secret()
        token.save()
        return token, clear

    def set_new_secret(self) -> str:
        """Give this (unsaved) token a fresh secret; returns it in clear, for showing once."""
        clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.prefix = clear[:12]
        self.token_hash = hash_token(clear)
        return clear

    @classmethod
    def authenticate(cls, clear: str, *, now: datetime | None = None) -> "ApiToken | None":
        now = now or timezone.now()
        token = (
            cls.objects.select_related("user")
            .filter(token_hash=hash_token(clear), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None or (token.expires_at and token.expires_at <= now):
            return None
        # Written at most once a minute so a busy client does not write on every request.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token
