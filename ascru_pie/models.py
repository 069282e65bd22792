from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.crypto import salted_hmac

from .roles import EDI_ACCESS_GROUP, Role

# Where each role lands after login, in order of precedence for people with several roles.
ROLE_HOMES = [
    (Role.PIE_TEAM, "staff-home"),
    (Role.FINANCE, "staff-home"),
    (Role.MANAGER, "reports:home"),
    (Role.RESEARCHER, "research-home"),
    (Role.ADVISOR, "portal-home"),
]


# Roles whose work shows other people's personal data or money: stricter sign-in rules
# (a short idle time, longer passwords). Superusers count too (see `User.has_staff_role`).
STAFF_ROLES = (Role.PIE_TEAM, Role.FINANCE, Role.MANAGER, EDI_ACCESS_GROUP)


class UserQuerySet(models.QuerySet):
    def deactivate(self) -> int:
        """Deactivate in bulk, ending every session of these people for good (see
        `User.session_epoch`). Use this, never `.update(is_active=False)`."""
        return self.update(is_active=False, session_epoch=F("session_epoch") + 1)


class AscruUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in. Roles are Django groups named after `Role`."""

    email = models.EmailField("email address", blank=True)
    # Part of the session hash: raised whenever the account is deactivated, so a session
    # cookie from before then never works again, even once the account is active again.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = AscruUserManager()

    class Meta:
        db_table = "ascru_pie_user"

    def save(self, *args, **kwargs) -> None:
        # Saving an inactive account ends its sessions for good. Raising the epoch on every
        # save while inactive (not only the first) is harmless and needs no "was it active?"
        # bookkeeping, so no path that deactivates through `save()` can forget it.
        if not self.is_active:
            self.session_epoch += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "session_epoch"}
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret=None) -> str:
        # Django's hash covers only the password; ours covers the epoch too. With epoch 0 it
        # is Django's own value, so sessions from before this change stay valid.
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "ascru_pie.models.User.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def has_staff_role(self) -> bool:
        """PIE team, finance, manager, equality access or superuser: people whose sessions
        time out after a short idle time and whose passwords must be longer."""
        if self.is_superuser:
            return True
        if self.pk is None:
            return False
        return self.has_role(*STAFF_ROLES)

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


class LoginEmailChange(models.Model):
    """A change of someone's sign-in email asked for by a member of staff (segregation of duties).

    It takes effect only when confirmed at the new address (django-allauth's confirmation link)
    or by a second member of staff; the old address is told when it is asked for
    (ascru_pie.email_change).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_email_changes")
    old_email = models.EmailField(blank=True)
    new_email = models.EmailField()
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=models.F("requested_by")),
                name="ascru_pie_email_change_confirmed_by_another",
                violation_error_message="Whoever asked for the change cannot confirm it.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.old_email or '(none)'} → {self.new_email}"
