from django.contrib import admin

from .models import RateCard


@admin.register(RateCard)
class RateCardAdmin(admin.ModelAdmin):
    list_display = ("activity", "effective_from", "hourly_rate", "label")
    list_filter = ("activity",)
