"""`manage.py ensure_admin`: create the first superuser when there is none."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create a superuser when none exists. The password comes from PORTAL_ADMIN_PASSWORD, "
        "else it is generated and printed once."
    )

    def handle(self, *args: object, **options: object) -> None:
        User = get_user_model()
        username = settings.PORTAL_ADMIN_USERNAME
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("An admin account exists already; nothing to do.")
            return
        password = settings.PORTAL_ADMIN_PASSWORD or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        if settings.PORTAL_ADMIN_PASSWORD:
            self.stdout.write(
                f"Created admin account {username!r} with the password from PORTAL_ADMIN_PASSWORD."
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"Created admin account {username!r} with password: {password}\n"
                    "This password is shown only once; change it with "
                    f"`manage.py changepassword {username}`."
                )
            )
