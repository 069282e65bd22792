"""The register and applications in the Django admin (pie_team).

Equality answers appear only for people with `advisors.view_equality`.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from ascru_pie.lib.dates import deadline_words
from ascru_pie.lib.imports import FileRefused, SafeImportExportModelAdmin
from ascru_pie.lib.storage import PrivateFileInput
from ascru_pie.roles import Role

from . import imports, services
from .admin_audit import AdvisorHistoryMixin, EqualityViewLogMixin
from .admin_fields import FieldsByRoleMixin
from .forms import AdvisorAdminForm, DeclineForm
from .models import (
    Advisor,
    Application,
    ApplicationEvent,
    EqualityMonitoring,
    ImportJob,
    LivedExperience,
    Recognition,
    Topic,
    Training,
)
from .resources import AdvisorPaymentResource, AdvisorResource


def can_see_equality(request) -> bool:
    return request.user.has_perm("advisors.view_equality")


def invite_words(advisor: Advisor) -> str:
    """The invitation button's words: 'again' only when one was really sent before."""
    if advisor.user_id is None:
        return "Give a login and send the invitation"
    return "Send the invitation again" if advisor.invitation_sent_at else "Send the invitation"


class EqualityInline(admin.StackedInline):
    model = EqualityMonitoring
    extra = 0
    max_num = 1
    can_delete = False

    def has_view_permission(self, request, obj=None) -> bool:
        return can_see_equality(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return can_see_equality(request) and request.user.has_perm(
            "advisors.change_equalitymonitoring"
        )

    def has_add_permission(self, request, obj=None) -> bool:
        return can_see_equality(request) and request.user.has_perm(
            "advisors.add_equalitymonitoring"
        )


class AdvisorEqualityInline(EqualityInline):
    fk_name = "advisor"


class ApplicationEqualityInline(EqualityInline):
    fk_name = "application"


class TrainingInline(admin.TabularInline):
    model = Training
    extra = 0
    # Certificates are private files: link to the access-checked download, not to the file.
    formfield_overrides = {
        models.FileField: {"widget": PrivateFileInput(url_name="advisors:training-certificate")}
    }


class RecognitionInline(admin.TabularInline):
    model = Recognition
    extra = 0


class SupportNeedsFilter(admin.SimpleListFilter):
    title = "support needs"
    parameter_name = "support"

    def lookups(self, request, model_admin):
        return [
            ("any", "Has support needs"),
            ("enhanced", "Enhanced support"),
            ("none", "No support needs recorded"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "any":
            return queryset.exclude(support_needs="")
        if self.value() == "enhanced":
            return queryset.filter(enhanced_support=True)
        if self.value() == "none":
            return queryset.filter(support_needs="", enhanced_support=False)
        return queryset


@admin.register(Advisor)
class AdvisorAdmin(
    FieldsByRoleMixin, AdvisorHistoryMixin, EqualityViewLogMixin, SafeImportExportModelAdmin
):
    resource_classes = [AdvisorResource]
    # The preview shows counts and the first rows; a large file is imported by a task.
    import_template_name = "admin/advisors/advisor/import.html"
    # The import writes the admin's log itself, in bulk (AdvisorResource._write).
    skip_admin_log = True
    # The pk makes the order total, so Django adds no "-pk" and the name index serves it.
    ordering = ("last_name", "first_name", "id")
    # No second COUNT(*) of the whole register on every filtered page, and pages of 50:
    # rendering the rows, not the queries, is what a page of the register costs.
    show_full_result_count = False
    list_per_page = 50
    # Each role sees only its fields of the record (advisors.access.ADVISOR_FIELDS_BY_ROLE).
    restricted_resource_classes = [AdvisorPaymentResource]
    list_display = (
        "full_name",
        "email",
        "status",
        "pieg_member",
        "contact_method",
        "enhanced_support",
        "joined_on",
    )
    list_display_links = ("full_name",)
    list_filter = (
        "status",
        "pieg_member",
        SupportNeedsFilter,
        "contact_method",
        "lived_experience",
        "topics",
    )
    search_fields = ("first_name", "last_name", "email", "phone", "postcode")
    # Short fixed lists: plain checkboxes are clearer (and more accessible) than filter_horizontal.
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    form = AdvisorAdminForm
    readonly_fields = (
        "login_state",
        "created_at",
        "updated_at",
        "status_changed_on",
        "documents",
        # Bank details are entered on finance's page and confirmed by a second person.
        "bank_details_masked",
        "bank_details_finance",
    )
    actions = ["give_login", "mark_active", "mark_paused", "mark_left"]
    inlines = [TrainingInline, RecognitionInline, AdvisorEqualityInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "first_name",
                    "last_name",
                    "login_state",
                    "status",
                    "joined_on",
                    "status_changed_on",
                    "left_on",
                    "pieg_member",
                ]
            },
        ),
        (
            "Contact",
            {
                "fields": [
                    "email",
                    "phone",
                    "address",
                    "postcode",
                    "contact_method",
                    "contact_format",
                    "contact_format_other",
                ]
            },
        ),
        (
            "Experience and interests",
            {
                "fields": [
                    "lived_experience",
                    "lived_experience_detail",
                    "topics",
                    "availability",
                    "heard_about",
                ]
            },
        ),
        ("Support", {"fields": ["support_needs", "enhanced_support", "support_budget"]}),
        ("Payment", {"fields": ["payment_preference", "annual_limit", "bank_details_masked"]}),
        ("Recognition", {"fields": ["acknowledgement"]}),
        ("Notes", {"fields": ["staff_notes", "documents", "created_at", "updated_at"]}),
    ]

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, obj: Advisor) -> str:
        return obj.full_name

    @admin.display(description="Bank details")
    def bank_details_masked(self, obj: Advisor) -> str:
        """Masked: the full numbers are only in finance's payment file."""
        if not obj.pk:
            return "—"
        details = getattr(obj, "bank_details", None)
        return format_html(
            "{} Finance records and confirms bank details.",
            details.masked if details else "None recorded.",
        )

    @admin.display(description="Bank details")
    def bank_details_finance(self, obj: Advisor) -> str:
        """Finance's view: masked too, with the way to enter new details."""
        if not obj.pk:
            return "—"
        details = getattr(obj, "bank_details", None)
        return format_html(
            '{} <a href="{}">Enter or confirm new bank details</a>',
            details.masked if details else "None recorded.",
            reverse("payments:bank-details", args=[obj.pk]),
        )

    def get_fieldsets(self, request, obj=None):
        # Only finance enters bank details: they get the link, everyone else the masked value.
        if not request.user.has_role(Role.FINANCE):
            return super().get_fieldsets(request, obj)
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        "bank_details_finance" if f == "bank_details_masked" else f
                        for f in options["fields"]
                    ],
                },
            )
            for name, options in super().get_fieldsets(request, obj)
        ]

    @admin.display(description="Login")
    def login_state(self, obj: Advisor) -> str:
        """Whether they can sign in, and the one thing to do next (never a link with a token)."""
        if not obj.pk:
            return "Save the record first."
        user = obj.user
        invite = reverse("admin:advisors_advisor_invite", args=[obj.pk])
        sent = (
            f"The invitation was last sent on {deadline_words(obj.invitation_sent_at)}. "
            if obj.invitation_sent_at
            else ""
        )
        if user is not None and not user.is_active:
            return format_html(
                "Cannot sign in: their account is switched off{}.",
                " because they have left" if obj.status == Advisor.Status.LEFT else "",
            )
        if user is not None and user.has_usable_password():
            last = (
                f"last signed in on {deadline_words(user.last_login)}"
                if user.last_login
                else "not signed in yet"
            )
            return format_html(
                "Signs in as {} with {}; {}. If they forget their password, they use "
                "“Forgotten your password?” on the sign-in page.",
                user.username,
                user.email or "no email address",
                last,
            )
        if not obj.email:
            return services.NO_EMAIL.format(name=obj.full_name)
        if user is None:
            return format_html(
                'No login: we contact them by {}. <a class="button" href="{}">Give a login and '
                "send the invitation</a>",
                obj.get_contact_method_display().lower(),
                invite,
            )
        return format_html(
            '{}They have not set a password yet. <a class="button" href="{}">{}</a>',
            sent or "Has a login, but no invitation has been sent. ",
            invite,
            invite_words(obj),
        )

    @admin.display(description="Documents")
    def documents(self, obj: Advisor) -> str:
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">Draft a reference letter</a> · '
            '<a href="{}">Subject access: a copy of everything we hold</a>',
            reverse("reports:reference", args=[obj.pk]),
            reverse("privacy:sar-advisor", args=[obj.pk]),
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def save_model(self, request, obj, form, change) -> None:
        # Status changes go through the service, which also switches the login off or on.
        if change and "status" in form.changed_data:
            new_status = obj.status
            obj.status = form.initial["status"]
            super().save_model(request, obj, form, change)
            services.advisor_set_status(advisor=obj, status=new_status)
        else:
            super().save_model(request, obj, form, change)
        if change and "email" in form.changed_data and obj.user_id:
            waiting = services.advisor_login_email_follow(
                request=request, advisor=obj, by=request.user
            )
            if waiting is not None:
                self.message_user(
                    request,
                    f"{obj.full_name} still signs in with {obj.user.email} until the change to "
                    f"{waiting.new_email} is confirmed: we have sent a link to the new "
                    "address and told the old one. A colleague can also confirm it on their "
                    "account page.",
                    messages.WARNING,
                )

    # --- give a login and send the invitation ---------------------------------------------

    def get_urls(self):
        return [
            path(
                "<int:pk>/invite/",
                self.admin_site.admin_view(self.invite_view),
                name="advisors_advisor_invite",
            ),
            path(
                "import/<int:pk>/",
                self.admin_site.admin_view(self.import_job_view),
                name="advisors_advisor_import_job",
            ),
            *super().get_urls(),
        ]

    # --- the register import: large files in the background --------------------------------

    def process_import(self, request, **kwargs):
        """Confirming an import: a large file goes to a task, and the coordinator is shown
        its progress; a small one is imported now (SafeImportExportModelAdmin)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        if not form.is_valid():
            return super().process_import(request, **kwargs)
        input_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
        storage = self.get_tmp_storage_class()(
            name=form.cleaned_data["import_file_name"],
            encoding=None,
            read_mode=input_format.get_read_mode(),
            **self.get_tmp_storage_class_kwargs(),
        )
        try:
            data = storage.read()
            rows = len(input_format.create_dataset(data))
        except (FileRefused, FileNotFoundError):
            return super().process_import(request, **kwargs)
        if rows <= imports.BACKGROUND_ROWS:
            return super().process_import(request, **kwargs)
        filename = form.cleaned_data.get("original_file_name") or "register"
        if input_format.get_title() == "xlsx" and not filename.lower().endswith(".xlsx"):
            filename += ".xlsx"
        job = services.import_job_start(
            data=data if isinstance(data, bytes) else data.encode(),
            filename=filename,
            user=request.user,
            rows=rows,
        )
        storage.remove()
        return redirect("admin:advisors_advisor_import_job", job.pk)

    def import_job_view(self, request, pk: int):
        """How far a background import has got; the page refreshes itself until it ends."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ImportJob, pk=pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Importing {job.filename}",
            "opts": self.model._meta,
            "job": job,
            "percent": (100 * job.rows_done // job.rows_total) if job.rows_total else 0,
        }
        return TemplateResponse(request, "admin/advisors/advisor/import_job.html", context)

    def invite_view(self, request, pk: int):
        """Say what will happen (to whom), then give a login and send the invitation."""
        advisor = get_object_or_404(Advisor.objects.select_related("user"), pk=pk)
        if not self.has_change_permission(request, advisor):
            raise PermissionDenied
        back = redirect("admin:advisors_advisor_change", advisor.pk)
        if request.method == "POST":
            self._invite(request, advisor)
            return back
        context = {
            **self.admin_site.each_context(request),
            "title": (
                f"{invite_words(advisor)}: {advisor.full_name}"
                if advisor.user_id
                else f"Give {advisor.full_name} a login"
            ),
            "invite_words": invite_words(advisor),
            "opts": self.model._meta,
            "original": advisor,
            "advisor": advisor,
            "no_email": services.NO_EMAIL.format(name=advisor.full_name),
            "has_password": bool(advisor.user and advisor.user.has_usable_password()),
            "days": settings.INVITATION_TIMEOUT_DAYS,
        }
        return TemplateResponse(request, "admin/advisors/advisor/invite.html", context)

    def _invite(self, request, advisor: Advisor) -> bool:
        again = advisor.invitation_sent_at is not None
        had_login = advisor.user_id is not None
        try:
            services.advisor_login_give(advisor=advisor, by=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return False
        self.message_user(
            request,
            f"{'We have sent' if had_login else 'We have given'} {advisor.full_name} "
            f"{'the invitation' if had_login else 'a login and sent the invitation'}"
            f"{' again' if had_login and again else ''}: "
            f"an email to {advisor.email} with a link to set their password. The link works "
            f"once, for {settings.INVITATION_TIMEOUT_DAYS} days.",
        )
        return True

    @admin.action(
        description="Give a login and send the invitation to the selected advisors",
        permissions=["change"],
    )
    def give_login(self, request, queryset) -> None:
        for advisor in queryset.select_related("user"):
            self._invite(request, advisor)

    def _set_status(self, request, queryset, status: str) -> None:
        changed = 0
        for advisor in queryset.select_related("user"):
            if advisor.status != status:
                services.advisor_set_status(advisor=advisor, status=status)
                changed += 1
        label = Advisor.Status(status).label.lower()
        self.message_user(request, f"{changed} advisor(s) marked as {label}.")

    @admin.action(description="Mark the selected advisors as active", permissions=["change"])
    def mark_active(self, request, queryset) -> None:
        self._set_status(request, queryset, Advisor.Status.ACTIVE)

    @admin.action(
        description="Mark the selected advisors as paused (no invitations; they keep access)",
        permissions=["change"],
    )
    def mark_paused(self, request, queryset) -> None:
        self._set_status(request, queryset, Advisor.Status.PAUSED)

    @admin.action(
        description="Mark the selected advisors as left (they can no longer sign in)",
        permissions=["change"],
    )
    def mark_left(self, request, queryset) -> None:
        self._set_status(request, queryset, Advisor.Status.LEFT)


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    fields = ("at", "from_status", "to_status", "by", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(EqualityViewLogMixin, admin.ModelAdmin):
    list_display = ("full_name", "email", "status", "contact_method", "created_at", "advisor_link")
    list_filter = ("status", "contact_method", "lived_experience", "topics")
    search_fields = ("first_name", "last_name", "email", "postcode")
    date_hierarchy = "created_at"
    readonly_fields = (
        "status",
        "advisor",
        "privacy_notice_version",
        "consented_at",
        "created_at",
        "updated_at",
        "decision_buttons",
    )
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    inlines = [ApplicationEventInline, ApplicationEqualityInline]
    actions = ["shortlist", "accept", "withdraw", "reopen"]
    fieldsets = [
        (None, {"fields": ["decision_buttons", "status", "advisor", "staff_notes"]}),
        (
            "Applicant",
            {
                "fields": [
                    "first_name",
                    "last_name",
                    "email",
                    "phone",
                    "address",
                    "postcode",
                    "contact_method",
                    "contact_format",
                    "contact_format_other",
                ]
            },
        ),
        (
            "Experience and interests",
            {
                "fields": [
                    "lived_experience",
                    "lived_experience_detail",
                    "topics",
                    "availability",
                    "support_needs",
                    "heard_about",
                ]
            },
        ),
        (
            "Consent",
            {"fields": ["privacy_notice_version", "consented_at", "created_at", "updated_at"]},
        ),
    ]

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, obj: Application) -> str:
        return obj.full_name

    @admin.display(description="Advisor record")
    def advisor_link(self, obj: Application) -> str:
        if not obj.advisor_id:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:advisors_advisor_change", args=[obj.advisor_id]),
            "Open",
        )

    @admin.display(description="Decision")
    def decision_buttons(self, obj: Application) -> str:
        if obj.pk is None or obj.status in (
            Application.Status.ACCEPTED,
            Application.Status.DECLINED,
        ):
            return (
                "No decision to make: this application is "
                + (obj.get_status_display().lower() if obj.pk else "new")
                + "."
            )
        return format_html(
            '<a class="button" href="{}">Decline with a message…</a> '
            "Use the actions on the list page to shortlist, accept or withdraw.",
            reverse("admin:advisors_application_decline", args=[obj.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/decline/",
                self.admin_site.admin_view(self.decline_view),
                name="advisors_application_decline",
            ),
            *super().get_urls(),
        ]

    def decline_view(self, request, pk: int):
        """Show the kind default message for editing, then decline and send it."""
        application = get_object_or_404(Application, pk=pk)
        if not self.has_change_permission(request, application):
            raise PermissionDenied
        form = DeclineForm(
            request.POST or None,
            initial={"message": services.application_decline_message(application=application)},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.application_decline(
                    application=application, by=request.user, message=form.cleaned_data["message"]
                )
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{application.full_name}'s application was declined and the message sent.",
                )
            return redirect("admin:advisors_application_change", pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Decline the application from {application.full_name}",
            "application": application,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/advisors/application/decline.html", context)

    def _transition(self, request, queryset, to_status: str, verb: str) -> None:
        done, problems = 0, []
        for application in queryset:
            try:
                services.application_transition(
                    application=application, to_status=to_status, by=request.user
                )
                done += 1
            except ValidationError as exc:
                problems.append(f"{application.full_name}: {' '.join(exc.messages)}")
        if done:
            self.message_user(request, f"{done} application(s) {verb}.")
        for problem in problems:
            self.message_user(request, problem, messages.ERROR)

    @admin.action(description="Shortlist the selected applications", permissions=["change"])
    def shortlist(self, request, queryset) -> None:
        self._transition(request, queryset, Application.Status.SHORTLISTED, "shortlisted")

    @admin.action(description="Mark the selected applications as withdrawn", permissions=["change"])
    def withdraw(self, request, queryset) -> None:
        self._transition(request, queryset, Application.Status.WITHDRAWN, "marked as withdrawn")

    @admin.action(
        description="Reopen the selected applications (back to received)", permissions=["change"]
    )
    def reopen(self, request, queryset) -> None:
        self._transition(request, queryset, Application.Status.RECEIVED, "reopened")

    @admin.action(
        description="Accept the selected applications and invite them", permissions=["change"]
    )
    def accept(self, request, queryset) -> None:
        for application in queryset:
            try:
                advisor = services.application_accept(application=application, by=request.user)
            except ValidationError as exc:
                self.message_user(
                    request, f"{application.full_name}: {' '.join(exc.messages)}", messages.ERROR
                )
                continue
            invited = (
                "an invitation to set a password was emailed"
                if advisor.email
                else "they have no email address, so they take part by phone or post. To "
                "give them a login later, add their email address to their advisor record "
                "and use “Send the invitation” there"
            )
            self.message_user(request, f"{advisor.full_name} is now on the register; {invited}.")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("advisor")


@admin.register(EqualityMonitoring)
class EqualityMonitoringAdmin(EqualityViewLogMixin, admin.ModelAdmin):
    """Only for people with the equality permissions (the `edi_access` group)."""

    list_display = ("pk", "application", "advisor", "created_at")
    list_select_related = ("application", "advisor")

    def has_module_permission(self, request) -> bool:
        return can_see_equality(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return can_see_equality(request)


admin.site.register(LivedExperience)
admin.site.register(Topic)
