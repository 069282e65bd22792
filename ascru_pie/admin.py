from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .accounts import password_reset_send
from .email_change import (
    login_email_change_confirm,
    login_email_change_pending,
    login_email_change_request,
)
from .models import User, WorkerHeartbeat
from .roles import Role
from .services import user_invite

# The only roles a PIE team member (not a superuser) may give: people they invite to take part.
GRANTABLE_ROLES = [Role.ADVISOR, Role.RESEARCHER]


@admin.register(User)
class AscruUserAdmin(UserAdmin):
    """Accounts. The PIE team can add advisors and researchers; only superusers manage staff,
    finance, equality access and superuser status. Nobody sets another person's password here
    unless a superuser: staff send a password reset email instead. A change of someone else's
    sign-in email waits for confirmation at the new address or by a second member of staff,
    and the old address is told (ascru_pie.email_change)."""

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
            ("Personal info", {"fields": ("first_name", "last_name", "email", "email_change")}),
            ("Access", {"fields": ("is_active", "groups")}),
            ("Important dates", {"fields": ("last_login", "date_joined")}),
        )

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return (*super().get_readonly_fields(request, obj), "email_change")
        return ("last_login", "date_joined", "email_change")

    @admin.display(description="Sign-in email change")
    def email_change(self, obj: User) -> str:
        change = login_email_change_pending(user=obj) if obj.pk else None
        if change is None:
            return "None waiting."
        return format_html(
            "Waiting for confirmation: {} (asked for by {} on {}). "
            '<a href="{}">Confirm it for them</a>',
            change.new_email,
            change.requested_by,
            f"{change.requested_at:%d %b %Y}",
            reverse("admin:ascru_pie_user_email_confirm", args=[obj.pk]),
        )

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
        new_email = obj.email
        waits = (
            change
            and "email" in form.changed_data
            and obj.pk != request.user.pk
            and bool(new_email)
        )
        if waits:
            # Someone else's sign-in email: it keeps the old one until the change is confirmed.
            obj.email = form.initial.get("email") or ""
        super().save_model(request, obj, form, change)
        if not change and not obj.has_usable_password():
            if obj.email:
                transaction.on_commit(lambda: user_invite(user=obj, invited_by=request.user))
                self.message_user(request, f"We have emailed {obj.email} a link to set a password.")
            else:
                self.message_user(
                    request,
                    f"{obj} has no email address, so no invitation was sent. Add one, "
                    "then use “Send a password reset email” on the list of accounts: for "
                    "someone with no password yet, it sends the invitation.",
                    messages.WARNING,
                )
        if waits:
            login_email_change_request(
                request=request, user=obj, new_email=new_email, by=request.user
            )
            self.message_user(
                request,
                f"The sign-in email of {obj} stays {obj.email or '(none)'} until the change to "
                f"{new_email} is confirmed: we have sent a link to the new address, and told "
                "the old one. A colleague can also confirm it on this page.",
                messages.WARNING,
            )

    def get_urls(self):
        return [
            path(
                "<id>/confirm-email/",
                self.admin_site.admin_view(self.email_confirm_view),
                name="ascru_pie_user_email_confirm",
            ),
            *super().get_urls(),
        ]

    def email_confirm_view(self, request, id):
        """A second member of staff confirms a sign-in email change a colleague asked for."""
        user = get_object_or_404(User, pk=id)
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        change = login_email_change_pending(user=user)
        back = redirect("admin:ascru_pie_user_change", user.pk)
        if change is None:
            self.message_user(request, "There is no sign-in email change waiting.")
            return back
        if request.method == "POST":
            try:
                login_email_change_confirm(request=request, change=change, by=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, f"{user} now signs in with {change.new_email}.")
            return back
        context = {
            **self.admin_site.each_context(request),
            "title": f"Confirm the new sign-in email of {user}",
            "opts": self.model._meta,
            "original": user,
            "change": change,
            "mine": change.requested_by_id == request.user.pk,
        }
        return TemplateResponse(request, "admin/ascru_pie/user/email_confirm.html", context)

    @admin.action(
        description="Send a password reset email to the selected people", permissions=["change"]
    )
    def send_password_reset(self, request, queryset) -> None:
        sent = 0
        for user in queryset:
            if not user.email or not self.has_change_permission(request, user):
                self.message_user(
                    request,
                    f"No reset email for {user}: no email address, or not yours to manage.",
                    messages.WARNING,
                )
                continue
            password_reset_send(email=user.email)
            sent += 1
        if sent:
            self.message_user(request, f"Password reset email sent to {sent} person(s).")

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if not request.user.is_superuser:
            extra = form.instance.groups.exclude(name__in=[str(r) for r in GRANTABLE_ROLES])
            if extra.exists():
                raise PermissionDenied(
                    "Only a superuser can give staff, finance or equality access."
                )

    actions = ["deactivate", "send_password_reset"]

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
                "Only a superuser sets a password here. Send a password reset email instead "
                "(the action on the list of accounts), or ask the person to use “Forgotten "
                "your password?” on the sign-in page."
            )
        return super().user_change_password(request, id, form_url)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("token", "created_at")
