"""`manage.py create_api_token USERNAME`: issue an API token and print it once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.api.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it (it is stored hashed, shown only now)."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="what the token is for")

    def handle(self, *args: object, username: str, name: str, **options: object) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(
                f"no user named {username!r}; create it first", returncode=2
            ) from None
        if not user.is_active:
            raise CommandError(f"user {username!r} is inactive", returncode=2)
        _, clear = ApiToken.issue(user, name)
        self.stdout.write(clear)
