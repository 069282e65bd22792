from django.contrib import admin

from .models import ReportRequest


@admin.register(ReportRequest)
class ReportRequestAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "year", "project", "advisor", "requested_by", "status")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in ReportRequest._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
