from django.contrib import admin

from .models import RateCard


@admin.register(RateCard)
class RateCardAdmin(admin.ModelAdmin):
    """Rates are entered by the coordinator from the current NIHR payment guidance.

    A change of rate is a new row with its effective date; old rows stay for old activities.
    """

    list_display = ("activity", "effective_from", "hourly_rate", "half_day_amount", "full_day_amount", "label")
    list_filter = ("activity",)
    date_hierarchy = "effective_from"
