from decimal import Decimal

from django.db import models


class RateCard(models.Model):
    """A payment rate for one kind of activity, in force from a date until the next row.

    Rates are data, never constants in code; the payments issue adds the half/full-day rule.
    """

    class Activity(models.TextChoices):
        MEETING = "meeting", "Meeting attendance"
        PREPARATION = "preparation", "Preparation and reading"
        DOCUMENT_REVIEW = "document_review", "Document review"
        CHAIRING = "chairing", "Chairing or co-facilitating"
        CO_PRESENTATION = "co_presentation", "Co-presentation"
        TRAINING = "training", "Training"
        OTHER = "other", "Other"

    activity = models.CharField(max_length=30, choices=Activity)
    effective_from = models.DateField()
    hourly_rate = models.DecimalField(max_digits=12, decimal_places=2)
    label = models.CharField(max_length=200, blank=True, help_text="e.g. the NIHR guidance it follows")

    class Meta:
        ordering = ["activity", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "effective_from"], name="payments_one_rate_per_day"),
            models.CheckConstraint(condition=models.Q(hourly_rate__gte=Decimal("0")), name="payments_rate_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_activity_display()} from {self.effective_from:%d %b %Y}: £{self.hourly_rate}/hour"
