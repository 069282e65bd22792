from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse

from .roles import Role

# Where each role lands after login, in order of precedence for people with several roles.
ROLE_HOMES = [
    (Role.PIE_TEAM, "staff-home"),
    (Role.FINANCE, "staff-home"),
    (Role.MANAGER, "reports:home"),
    (Role.RESEARCHER, "projects:home"),
    (Role.ADVISOR, "portal-home"),
]


class User(AbstractUser):
    """A person who signs in. Roles are Django groups named after `Role`."""

    email = models.EmailField("email address", blank=True)

    class Meta:
        db_table = "ascru_pie_user"

    @cached_property
    def role_names(self) -> frozenset[str]:
        # One query per request; cached on the instance that the auth middleware loads.
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.role_names & {str(r) for r in roles})

    @property
    def home_url(self) -> str:
        for role, url_name in ROLE_HOMES:
            if role in self.role_names:
                return reverse(url_name)
        if self.is_staff:
            return reverse("admin:index")
        return reverse("no-role")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class WorkerHeartbeat(models.Model):
    """A row a Celery worker writes, so that staff can see the worker is alive."""

    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"heartbeat {self.token} at {self.created_at:%Y-%m-%d %H:%M}"
