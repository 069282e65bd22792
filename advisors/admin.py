from django.contrib import admin

from .models import Advisor


@admin.register(Advisor)
class AdvisorAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "email", "status")
    list_filter = ("status",)
    search_fields = ("first_name", "last_name", "email")
