from django.contrib import admin

from .models import AdvisorReflection, GrippSummary, ImpactRecord, Standard, Survey, SurveyResponse


class ReflectionInline(admin.TabularInline):
    model = AdvisorReflection
    extra = 0


@admin.register(ImpactRecord)
class ImpactRecordAdmin(admin.ModelAdmin):
    list_display = ("project", "stage", "kind", "category", "extent", "direction", "recorded_on")
    list_filter = ("kind", "stage", "category", "extent", "direction", "standards")
    search_fields = ("what_changed", "evidence_text", "project__title")
    autocomplete_fields = ["project", "contributors", "meeting"]
    list_select_related = ("project",)
    inlines = [ReflectionInline]

    def save_model(self, request, obj, form, change) -> None:
        if not change and not obj.recorded_by_id:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(GrippSummary)
class GrippSummaryAdmin(admin.ModelAdmin):
    list_display = ("project", "updated_at", "updated_by")


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "opens_on", "closes_on", "meeting")
    list_filter = ("kind",)


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    """Free-text answers are for the PIE team only; anonymous ones show no advisor (there is none)."""

    list_display = (
        "survey",
        "submitted_on",
        "felt_valued",
        "had_support",
        "paid_on_time",
        "take_part_again",
    )
    list_filter = ("survey",)
    # Never show who wrote an answer next to what they wrote.
    exclude = ["advisor"]
    readonly_fields = [f.name for f in SurveyResponse._meta.fields if f.name != "advisor"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


admin.site.register(Standard)
