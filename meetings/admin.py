from django.contrib import admin

from .models import Meeting


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "type", "starts_at", "status")
    list_filter = ("type", "status")
    search_fields = ("title",)
