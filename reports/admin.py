from django.contrib import admin

from ascru_pie.lib.storage import private_file_link

from .models import ReportExample, ReportRequest, StandardNarrative


@admin.register(ReportRequest)
class ReportRequestAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "year", "project", "advisor", "requested_by", "status")
    list_filter = ("kind", "status")
    # The PDF is a private file: shown as a link to the access-checked download.
    exclude = ["file"]
    readonly_fields = [f.name for f in ReportRequest._meta.fields if f.name != "file"] + [
        "pdf_file"
    ]

    @admin.display(description="file")
    def pdf_file(self, obj: ReportRequest) -> str:
        return private_file_link(obj.file, url_name="reports:download", args=[obj.pk])

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ReportExample)
class ReportExampleAdmin(admin.ModelAdmin):
    """The annual report's chosen examples (the PIE team's page is reports:evidence)."""

    list_display = ("year", "period_kind", "standard", "order", "short_text", "updated_at")
    list_filter = ("year", "period_kind", "standard")
    search_fields = ("text",)
    raw_id_fields = ("impact", "reflection", "output")
    readonly_fields = ("updated_by", "updated_at")

    @admin.display(description="wording")
    def short_text(self, obj: ReportExample) -> str:
        return obj.text[:80]

    def save_model(self, request, obj, form, change) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(StandardNarrative)
class StandardNarrativeAdmin(admin.ModelAdmin):
    list_display = ("year", "period_kind", "standard", "updated_at")
    list_filter = ("year", "period_kind", "standard")
    readonly_fields = ("updated_by", "updated_at")

    def save_model(self, request, obj, form, change) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
