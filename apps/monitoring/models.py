"""Services: what a team operates. Monitors, results and pings hang off them."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    class Environment(models.TextChoices):
        PRODUCTION = "production"
        STAGING = "staging"
        PREVIEW = "preview"
        DEVELOPMENT = "development"

    class State(models.TextChoices):
        PENDING = "pending"
        UP = "up"
        DEGRADED = "degraded"
        DOWN = "down"
        IMPACTED = "impacted", "impacted (a dependency is down)"
        MAINTENANCE = "maintenance"
        PAUSED = "paused"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    environment = models.CharField(
        max_length=20, choices=Environment.choices, default=Environment.PRODUCTION, db_index=True
    )
    owner = models.CharField(max_length=200, blank=True, help_text="Team or person responsible.")
    tags = models.ManyToManyField(Tag, blank=True, related_name="services")
    links = models.JSONField(default=list, blank=True, help_text="List of {title, url}.")
    description = models.TextField(blank=True)
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents"
    )
    public = models.BooleanField(default=False, help_text="Shown on the public status page.")
    slo_target = models.DecimalField(
        "SLO target (%)",
        max_digits=6,
        decimal_places=3,
        default=Decimal("99.900"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.PENDING, db_index=True, editable=False
    )
    state_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
