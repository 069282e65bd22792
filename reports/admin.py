from django.contrib import admin

from ascru_pie.lib.storage import private_file_link

from .models import ReportRequest


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
