"""Links into the admin that survive an app not having registered its admin (yet)."""

from django.urls import NoReverseMatch, reverse


def admin_url(app_label: str, model_name: str, action: str = "changelist", *args: object) -> str:
    """The admin page of a model, or the admin index when that model has no admin."""
    try:
        return reverse(f"admin:{app_label}_{model_name}_{action}", args=args)
    except NoReverseMatch:
        return reverse("admin:index")
