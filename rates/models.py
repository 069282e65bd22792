"""The NIHR rate card: what an hour, a half day or a full day of each activity pays, by date.

Rates are data with effective dates, never constants in code. Plans (projects) price their
activities with them and claims (payments) copy the row they used.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from ascru_pie.lib.dates import hours_number
from ascru_pie.lib.money import to_money


class RateCardQuerySet(models.QuerySet):
    def in_force(self, *, activity: str, on) -> "RateCard | None":
        """The row for `activity` in force on date `on`: the latest one effective by then."""
        return (
            self.filter(activity=activity, effective_from__lte=on)
            .order_by("-effective_from")
            .first()
        )


class RateCard(models.Model):
    """A payment rate for one kind of activity, in force from a date until the next row.

    Rates are data, never constants in code. Each row says how time is paid: hourly, and/or a
    fixed amount per half day or full day, with the hours at which the fixed amounts start.
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
    hourly_rate = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    half_day_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    half_day_from_hours = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Sessions of at least this many hours are paid the half-day amount (if set).",
    )
    full_day_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    full_day_from_hours = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Sessions of at least this many hours are paid the full-day amount (if set).",
    )
    label = models.CharField(
        max_length=200, blank=True, help_text="e.g. the NIHR guidance it follows"
    )

    objects = RateCardQuerySet.as_manager()

    class Meta:
        ordering = ["activity", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "effective_from"], name="rates_one_rate_per_day"
            ),
            models.CheckConstraint(
                condition=Q(hourly_rate__isnull=False)
                | Q(half_day_amount__isnull=False)
                | Q(full_day_amount__isnull=False),
                name="rates_rate_has_an_amount",
            ),
            models.CheckConstraint(
                condition=(Q(hourly_rate__isnull=True) | Q(hourly_rate__gte=0))
                & (Q(half_day_amount__isnull=True) | Q(half_day_amount__gte=0))
                & (Q(full_day_amount__isnull=True) | Q(full_day_amount__gte=0)),
                name="rates_rate_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(half_day_amount__isnull=True) | Q(half_day_from_hours__isnull=False),
                name="rates_half_day_needs_hours",
            ),
            models.CheckConstraint(
                condition=Q(full_day_amount__isnull=True) | Q(full_day_from_hours__isnull=False),
                name="rates_full_day_needs_hours",
            ),
        ]

    def __str__(self) -> str:
        parts = []
        if self.hourly_rate is not None:
            parts.append(f"£{self.hourly_rate}/hour")
        if self.half_day_amount is not None:
            parts.append(
                f"£{self.half_day_amount} half day (from {hours_number(self.half_day_from_hours)} h)"
            )
        if self.full_day_amount is not None:
            parts.append(
                f"£{self.full_day_amount} full day (from {hours_number(self.full_day_from_hours)} h)"
            )
        return (
            f"{self.get_activity_display()} from {self.effective_from:%d %b %Y}: {', '.join(parts)}"
        )

    def amount_for(self, hours: Decimal) -> tuple[Decimal, str]:
        """Pay for one person's one session of `hours`, and the computation in words.

        The full-day amount applies from its hours, then the half-day amount from its hours,
        otherwise hours x the hourly rate. Rounded once, to the penny, half up.
        """
        hours = Decimal(hours)
        if self.full_day_amount is not None and hours >= self.full_day_from_hours:
            return (
                to_money(self.full_day_amount),
                f"full day ({hours_number(hours)} h ≥ {hours_number(self.full_day_from_hours)} h): £{self.full_day_amount}",
            )
        if self.half_day_amount is not None and hours >= self.half_day_from_hours:
            return (
                to_money(self.half_day_amount),
                f"half day ({hours_number(hours)} h ≥ {hours_number(self.half_day_from_hours)} h): £{self.half_day_amount}",
            )
        if self.hourly_rate is None:
            # Only fixed amounts: a short session still earns the half-day amount.
            fixed = (
                self.half_day_amount if self.half_day_amount is not None else self.full_day_amount
            )
            return to_money(fixed), f"fixed amount: £{fixed}"
        amount = to_money(hours * self.hourly_rate)
        return amount, f"{hours_number(hours)} h × £{self.hourly_rate}/h = £{amount}"
