from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from .models import User, WorkerHeartbeat
from .roles import Role

# The only roles a PIE team member (not a superuser) may give: people they invite to take part.
GRANTABLE_ROLES = [Role.ADVISOR, Role.RESEARCHER]


@admin.register(User)
class AscruUserAdmin(UserAdmin):
    """Accounts. The PIE team can add advisors and researchers; only superusers manage staff,
    finance, equality access, superuser status and other people's passwords."""

    list_display = ("username", "first_name", "last_name", "email", "is_active", "role_list")
    list_filter = ("groups", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email")

    @admin.display(description="Roles")
    def role_list(self, obj: User) -> str:
        return ", ".join(sorted(g.name for g in obj.groups.all()))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        if obj is None:
            return ((None, {"fields": ("username", "first_name", "last_name", "email", "groups")}),)
        return (
            (None, {"fields": ("username",)}),
            ("Personal info", {"fields": ("first_name", "last_name", "email")}),
            ("Access", {"fields": ("is_active", "groups")}),
            ("Important dates", {"fields": ("last_login", "date_joined")}),
        )

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ("last_login", "date_joined")

    def get_form(self, request, obj=None, **kwargs):
        if not request.user.is_superuser and obj is None:
            # New accounts get no password: they are sent an invitation to set one.
            kwargs["form"] = self.form
            kwargs["fields"] = ["username", "first_name", "last_name", "email", "groups"]
        return super().get_form(request, obj, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=[str(r) for r in GRANTABLE_ROLES])
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _is_protected(self, obj: User | None) -> bool:
        """Accounts only a superuser may change: staff, finance, equality access, superusers."""
        if obj is None:
            return False
        names = set(obj.groups.values_list("name", flat=True))
        return obj.is_superuser or obj.is_staff or bool(names - {str(r) for r in GRANTABLE_ROLES})

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and not request.user.is_superuser and self._is_protected(obj):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        if not request.user.is_superuser:
            obj.is_superuser = obj.is_staff = False
            if not change:
                obj.set_unusable_password()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if not request.user.is_superuser:
            extra = form.instance.groups.exclude(name__in=[str(r) for r in GRANTABLE_ROLES])
            if extra.exists():
                raise PermissionDenied(
                    "Only a superuser can give staff, finance or equality access."
                )

    actions = ["deactivate"]

    @admin.action(
        description="Deactivate the selected accounts (ends their sessions for good)",
        permissions=["change"],
    )
    def deactivate(self, request, queryset) -> None:
        # Through UserQuerySet.deactivate, never .update(is_active=False): it also ends every
        # session, so an old cookie does not come back to life if the account is re-activated.
        if not request.user.is_superuser:
            protected = [u for u in queryset if self._is_protected(u)]
            if protected:
                raise PermissionDenied("Only a superuser can deactivate staff accounts.")
        count = queryset.deactivate()
        self.message_user(request, f"{count} account(s) deactivated and signed out.")

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied(
                "Ask the person to use “Forgotten your password?” on the sign-in page."
            )
        return super().user_change_password(request, id, form_url)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("token", "created_at")
