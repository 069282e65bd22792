from django.contrib import admin
from django.db import models
from django.utils import timezone

from ascru_pie.celery import enqueue_on_commit
from ascru_pie.lib.storage import PrivateFileInput

from .models import AdvisorReflection, GrippSummary, ImpactRecord, Standard, Survey
from .tasks import survey_responses_shuffle as survey_responses_shuffle_task


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
    # Evidence is a private file: link to the access-checked download, not to the file.
    formfield_overrides = {
        models.FileField: {
            "widget": PrivateFileInput(
                url_name="impacts:evidence", args=lambda impact: [impact.project_id, impact.pk]
            )
        }
    }

    def save_model(self, request, obj, form, change) -> None:
        if not change and not obj.recorded_by_id:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(GrippSummary)
class GrippSummaryAdmin(admin.ModelAdmin):
    list_display = ("project", "updated_at", "updated_by")


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    """Surveys only. Single answers have no admin page at all (SurveyResponse is not
    registered): one answer next to who answered defeats anonymity and the small-group rule,
    so the answers are read on the feedback results page, in aggregate."""

    list_display = ("title", "kind", "opens_on", "closes_on", "meeting")
    list_filter = ("kind",)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if obj.closes_on <= timezone.localdate():
            # Closed (or closing today): rewrite its answers once more in a random order.
            enqueue_on_commit(survey_responses_shuffle_task, [obj.pk], unsent=lambda ids: None)


admin.site.register(Standard)
