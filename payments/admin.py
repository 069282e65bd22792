from django.contrib import admin
from django.utils.formats import date_format
from django.utils.html import format_html

from advisors.admin import AdvisorAdmin
from advisors.models import Advisor
from ascru_pie.lib.imports import SafeImportExportModelAdmin
from ascru_pie.lib.storage import private_file_link
from ascru_pie.roles import Role
from ascru_pie.templatetags.words import pounds_text
from meetings.models import Attendance, Meeting
from meetings.resources import AttendanceResource
from rates.models import RateCard

from .models import BankDetailsChange, CentralBudget, Claim, ClaimEvent
from .selectors import support_budget_status
from .services import claims_sync_for_meeting


@admin.register(RateCard)
class RateCardAdmin(admin.ModelAdmin):
    """Rates are entered by the coordinator from the current NIHR payment guidance.

    A change of rate is a new row with its effective date; old rows stay for old activities.
    """

    # Plain column headings and amounts in pounds; widths in css/admin-rates.css
    # (templates/admin/rates/ratecard/change_list.html), so no column is one letter wide.
    list_display = (
        "activity_words",
        "in_force_from",
        "hourly",
        "half_day",
        "full_day",
        "guidance",
    )
    list_display_links = ("activity_words",)
    list_filter = ("activity",)
    date_hierarchy = "effective_from"

    @admin.display(description="Activity", ordering="activity")
    def activity_words(self, obj: RateCard) -> str:
        return obj.get_activity_display()

    @admin.display(description="In force from", ordering="effective_from")
    def in_force_from(self, obj: RateCard) -> str:
        return date_format(obj.effective_from, "j F Y")

    @admin.display(description="Per hour")
    def hourly(self, obj: RateCard) -> str:
        return (
            pounds_text(obj.hourly_rate) if obj.hourly_rate is not None else "Not paid by the hour"
        )

    @admin.display(description="Half day")
    def half_day(self, obj: RateCard) -> str:
        return _session_words(obj.half_day_amount, obj.half_day_from_hours)

    @admin.display(description="Full day")
    def full_day(self, obj: RateCard) -> str:
        return _session_words(obj.full_day_amount, obj.full_day_from_hours)

    @admin.display(description="Guidance it follows", ordering="label")
    def guidance(self, obj: RateCard) -> str:
        return obj.label or "Not noted"

    def has_change_permission(self, request, obj=None) -> bool:
        # A rate that has paid a claim is history: a new rate is a new row with its own date.
        if obj is not None and _rate_used(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and _rate_used(obj):
            return False
        return super().has_delete_permission(request, obj)


def _session_words(amount, from_hours) -> str:
    """£90.00 for 3.5 hours or more; "None" when the row has no such amount."""
    if amount is None:
        return "None"
    if from_hours is None:
        return pounds_text(amount)
    return f"{pounds_text(amount)} for {from_hours.normalize():f} hours or more"


def _rate_used(rate: RateCard) -> bool:
    """Whether any claim's copied rate came from this row."""
    return Claim.objects.filter(**{f"rate_snapshot__{rate.activity}__id": rate.pk}).exists()


class ClaimEventInline(admin.TabularInline):
    model = ClaimEvent
    extra = 0
    can_delete = False
    fields = ["at", "by", "from_status", "to_status", "old_amount", "new_amount", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("pk", "advisor", "kind", "activity_date", "amount", "status")
    list_filter = ("status", "kind")
    search_fields = ("advisor__first_name", "advisor__last_name", "description")
    list_select_related = ("advisor",)
    # With years of claims, counting the whole table again for "of N in all" costs more than
    # the page: the filtered count is enough (and the default order has an index).
    show_full_result_count = False
    # The receipt is a private file: shown as a link to the access-checked download.
    exclude = ["receipt"]
    readonly_fields = [f.name for f in Claim._meta.fields if f.name != "receipt"] + ["receipt_file"]
    inlines = [ClaimEventInline]

    @admin.display(description="receipt")
    def receipt_file(self, obj: Claim) -> str:
        return private_file_link(obj.receipt, url_name="payments:receipt", args=[obj.pk])

    def has_add_permission(self, request) -> bool:
        # Claims are made by services (attendance, the portal, staff entry), never typed here.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CentralBudget)
class CentralBudgetAdmin(admin.ModelAdmin):
    """The unit's central PIE budgets, one per category and financial year (the budgets page
    reads them)."""

    list_display = ("year_starting", "category", "amount")
    list_filter = ("category",)


@admin.register(BankDetailsChange)
class BankDetailsChangeAdmin(admin.ModelAdmin):
    """Who changed which advisor's bank details, and when (last four digits only)."""

    list_display = ("at", "advisor", "by", "old_last4", "new_last4")
    list_select_related = ("advisor", "by")
    readonly_fields = ("at", "advisor", "by", "old_last4", "new_last4")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AttendancePayResource(AttendanceResource):
    """The attendance import, paying for what it records: claims are synced per meeting by
    the payments service, in the import's transaction (nothing on a dry run or any error)."""

    def __init__(self, *args, by=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.by = by

    def after_import(self, dataset, result, **kwargs) -> None:
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        for meeting in Meeting.objects.filter(pk__in=self.meetings):
            claims_sync_for_meeting(meeting=meeting, by=self.by)


@admin.register(Attendance)
class AttendanceAdmin(SafeImportExportModelAdmin):
    """Attendance is recorded on the staff page; here it can be imported from a file.

    Registered by payments, not meetings: importing attendance pays for it (claims are synced
    in the import's transaction), and only this layer may call both.
    """

    resource_classes = [AttendancePayResource]
    list_display = (
        "meeting",
        "advisor",
        "status",
        "minutes_attended",
        "preparation_hours",
        "confirmed_at",
    )
    list_filter = ("status", "meeting__type")
    search_fields = ("advisor__first_name", "advisor__last_name", "meeting__title")
    list_select_related = ("meeting", "advisor")

    def has_change_permission(self, request, obj=None) -> bool:
        # Edits go through the attendance screen, which keeps claims in step.
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "by": request.user}


# The roles that see an advisor's support budget against their claims (as on the budgets page).
SUPPORT_BUDGET_ROLES = (Role.PIE_TEAM, Role.FINANCE)
SUPPORT_BUDGET_FIELD = "support_budget_used"


class AdvisorWithSupportBudgetAdmin(AdvisorAdmin):
    """The advisor admin (advisors.admin), plus what is left of an agreed support budget.

    Registered here, over the advisors app's own registration: the figure comes from claims,
    and advisors sits below payments (it may not read claims).
    """

    def _shows_support_budget(self, request, obj) -> bool:
        return (
            obj is not None and obj.pk is not None and request.user.has_role(*SUPPORT_BUDGET_ROLES)
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if self._shows_support_budget(request, obj):
            fields.append(SUPPORT_BUDGET_FIELD)
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if not self._shows_support_budget(request, obj):
            return fieldsets
        for i, (name, options) in enumerate(fieldsets):
            if name == "Support":
                fields = [*options["fields"], SUPPORT_BUDGET_FIELD]
                fieldsets[i] = (name, {**options, "fields": fields})
                return fieldsets
        # Roles that do not see the support section (finance) get the budget on its own.
        return [*fieldsets, ("Support budget", {"fields": [SUPPORT_BUDGET_FIELD]})]

    @admin.display(description="Support budget used")
    def support_budget_used(self, obj: Advisor) -> str:
        """The agreed budget, what approved or paid expense claims have used and what is left."""
        status = support_budget_status(advisor=obj)
        if status is None:
            return "No support budget agreed."
        if status.warning == "over":
            left = f"{pounds_text(status.over_by)} over the budget"
        else:
            left = f"{pounds_text(status.left)} left"
        return format_html(
            "{}: {} agreed; {} used by approved or paid expense claims; {}. {}.",
            status.name,
            pounds_text(status.budget),
            pounds_text(status.committed),
            left,
            status.words,
        )


admin.site.unregister(Advisor)
admin.site.register(Advisor, AdvisorWithSupportBudgetAdmin)
