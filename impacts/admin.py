from django.contrib import admin

from .models import ImpactRecord


@admin.register(ImpactRecord)
class ImpactRecordAdmin(admin.ModelAdmin):
    list_display = ("project", "stage", "recorded_on")
    list_filter = ("stage",)
    search_fields = ("what_changed",)
