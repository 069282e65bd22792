from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import (
    ExpressionOfInterest,
    Opportunity,
    Output,
    OutputCredit,
    PIEPlan,
    Project,
    ProjectAdvisor,
    ProjectMembership,
)


class MembershipInline(admin.TabularInline):
    model = ProjectMembership
    extra = 1
    autocomplete_fields = ["user"]


class ProjectAdvisorInline(admin.TabularInline):
    model = ProjectAdvisor
    extra = 0
    autocomplete_fields = ["advisor"]


class PlanInline(admin.TabularInline):
    model = PIEPlan
    extra = 0
    can_delete = False
    fields = ["version", "status", "budget_total", "submitted_at", "decided_at", "review_link"]
    readonly_fields = fields
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Open")
    def review_link(self, obj: PIEPlan) -> str:
        return format_html(
            '<a href="{}">View plan v{}</a>',
            reverse("projects:plan-version", args=[obj.project_id, obj.version]),
            obj.version,
        )


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "confidential", "start_date", "end_date", "pie_budget")
    list_filter = ("status", "confidential")
    search_fields = ("title", "summary")
    readonly_fields = ("pie_budget",)
    inlines = [MembershipInline, ProjectAdvisorInline, PlanInline]


class InterestInline(admin.TabularInline):
    model = ExpressionOfInterest
    extra = 0
    fields = ["advisor", "status", "note", "support_needed", "created_at"]
    readonly_fields = ["advisor", "note", "support_needed", "created_at"]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ("role", "project", "closing_date", "status", "selection_link")
    list_filter = ("status", "project")
    search_fields = ("role", "description")
    inlines = [InterestInline]

    @admin.display(description="Selection")
    def selection_link(self, obj: Opportunity) -> str:
        return format_html(
            '<a href="{}">Choose advisors</a>',
            reverse("projects:opportunity-select", args=[obj.pk]),
        )

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.posted_by = request.user
        super().save_model(request, obj, form, change)

    def get_exclude(self, request, obj=None):
        return ["posted_by"]


class CreditInline(admin.TabularInline):
    model = OutputCredit
    extra = 1
    autocomplete_fields = ["advisor"]


@admin.register(Output)
class OutputAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "project", "published_on")
    list_filter = ("kind",)
    search_fields = ("title",)
    inlines = [CreditInline]
