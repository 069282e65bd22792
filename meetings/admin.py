from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

from advisors.models import Advisor
from ascru_pie.lib.storage import PrivateFileInput
from ascru_pie.models import STAFF_ROLES, User

from .models import AgendaItem, Invitation, Meeting, MeetingPaper


class PaperInline(admin.TabularInline):
    model = MeetingPaper
    extra = 1
    # Papers are private files: link to the access-checked download, not to the file.
    formfield_overrides = {
        models.FileField: {"widget": PrivateFileInput(url_name="meetings:paper")}
    }


class InvitationInlineForm(forms.ModelForm):
    """New invitations only for Active advisors (as on the invite page); an existing row keeps
    its advisor, so a meeting with a since-paused invitee still saves."""

    class Meta:
        model = Invitation
        fields = ["advisor", "needs"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "advisor" in self.fields:
            active = Q(status=Advisor.Status.ACTIVE)
            if self.instance.pk:
                active |= Q(pk=self.instance.advisor_id)
            self.fields["advisor"].queryset = Advisor.objects.filter(active)
            self.fields["advisor"].error_messages["invalid_choice"] = (
                "Only Active advisors can be invited (not Paused or Left)."
            )


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ["advisor", "rsvp", "needs", "responded_at"]
    # Answers are recorded on the staff meeting page (who entered them and how), not here.
    readonly_fields = ["rsvp", "responded_at"]
    autocomplete_fields = ["advisor"]

    form = InvitationInlineForm


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["order", "title", "speaker", "status", "reason", "proposed_by"]
    readonly_fields = ["proposed_by"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "type", "starts_at", "mode", "status", "staff_page")
    list_filter = ("type", "status", "mode")
    search_fields = ("title",)
    date_hierarchy = "starts_at"
    autocomplete_fields = ["project"]
    readonly_fields = (
        "cancelled_at",
        "cancellation_notified_at",
        "agenda_published_at",
        "created_at",
    )
    inlines = [PaperInline, InvitationInline, AgendaInline]
    fieldsets = [
        (
            None,
            {"fields": ["title", "type", "project", "starts_at", "ends_at", "status", "organiser"]},
        ),
        ("Where and how", {"fields": ["mode", "location", "joining_details"]}),
        (
            "Accessibility",
            {
                "fields": [
                    "step_free_access",
                    "hearing_loop",
                    "bsl_interpreter",
                    "captions",
                    "quiet_room",
                    "accessibility_notes",
                ]
            },
        ),
        (
            "Payment and agenda",
            {"fields": ["preparation_hours", "agenda_deadline", "agenda_published_at"]},
        ),
        ("Minutes and presence", {"fields": ["minutes", "minutes_published", "pie_lead_present"]}),
        ("Record", {"fields": ["cancelled_at", "cancellation_notified_at", "created_at"]}),
    ]

    @admin.display(description="Staff page")
    def staff_page(self, obj: Meeting) -> str:
        return format_html(
            '<a href="{}">Roster and attendance</a>', reverse("meetings:detail", args=[obj.pk])
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Meetings are organised by staff: advisors and researchers are not offered.
        if db_field.name == "organiser":
            kwargs["queryset"] = (
                User.objects.filter(is_active=True)
                .filter(Q(groups__name__in=[str(r) for r in STAFF_ROLES]) | Q(is_superuser=True))
                .distinct()
                .order_by("first_name", "last_name", "username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        # Cancelling must tell invitees: that is the button on the staff page, not this field.
        if db_field.name == "status":
            kwargs["choices"] = [
                c for c in Meeting.Status.choices if c[0] != Meeting.Status.CANCELLED
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Cancelling tells invitees: use the button on the staff page, not the status field.
        fields = list(super().get_readonly_fields(request, obj))
        if obj and obj.status == Meeting.Status.CANCELLED:
            fields.append("status")
        return fields

    def save_model(self, request, obj, form, change) -> None:
        if not change and obj.organiser_id is None:
            obj.organiser = request.user
        super().save_model(request, obj, form, change)
