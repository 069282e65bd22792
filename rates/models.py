"""The NIHR rate card: what an hour, a half day or a full day of each activity pays, by date.

Rates are data with effective dates, never constants in code. Plans (projects) price their
activities with them and claims (payments) copy the row they used.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from ascru_pie.lib.dates import hours_number
from ascru_pie.lib.money import to_money
from ascru_pie.templatetags.words import pounds_text

# Bounds on what the coordinator types into the rate card (NIHR rates are tens of pounds an
# hour and a few hundred a day): anything above these is a typing mistake.
MAX_HOURLY_RATE = Decimal("500.00")
MAX_SESSION_AMOUNT = Decimal("5000.00")
MAX_SESSION_HOURS = Decimal("24")


def _amount_validators(most: Decimal, what: str) -> list:
    return [
        MinValueValidator(Decimal("0"), f"{what} cannot be less than £0.00."),
        MaxValueValidator(
            most, f"{what} can be up to {pounds_text(most)}. Please check the amount."
        ),
    ]


def _hours_validators() -> list:
    return [
        MinValueValidator(Decimal("0.25"), "Enter at least a quarter of an hour (0.25)."),
        MaxValueValidator(MAX_SESSION_HOURS, "Enter no more than 24 hours."),
    ]


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
    hourly_rate = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_amount_validators(MAX_HOURLY_RATE, "An hourly rate"),
    )
    half_day_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_amount_validators(MAX_SESSION_AMOUNT, "A half-day amount"),
    )
    half_day_from_hours = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_hours_validators(),
        help_text="Sessions of at least this many hours are paid the half-day amount (if set).",
    )
    full_day_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_amount_validators(MAX_SESSION_AMOUNT, "A full-day amount"),
    )
    full_day_from_hours = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_hours_validators(),
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
                fields=["activity", "effective_from"],
                name="rates_one_rate_per_day",
                violation_error_message="There is already a rate for this activity from this date: "
                "change that row, or choose another date.",
            ),
            models.CheckConstraint(
                condition=Q(hourly_rate__isnull=False)
                | Q(half_day_amount__isnull=False)
                | Q(full_day_amount__isnull=False),
                name="rates_rate_has_an_amount",
                violation_error_message="Enter an hourly rate, a half-day amount or a full-day amount.",
            ),
            models.CheckConstraint(
                condition=(Q(hourly_rate__isnull=True) | Q(hourly_rate__gte=0))
                & (Q(half_day_amount__isnull=True) | Q(half_day_amount__gte=0))
                & (Q(full_day_amount__isnull=True) | Q(full_day_amount__gte=0)),
                name="rates_rate_non_negative",
                violation_error_message="Rates and amounts cannot be less than £0.00.",
            ),
            models.CheckConstraint(
                condition=Q(half_day_amount__isnull=True) | Q(half_day_from_hours__isnull=False),
                name="rates_half_day_needs_hours",
                violation_error_message="Say from how many hours the half-day amount is paid.",
            ),
            models.CheckConstraint(
                condition=Q(full_day_amount__isnull=True) | Q(full_day_from_hours__isnull=False),
                name="rates_full_day_needs_hours",
                violation_error_message="Say from how many hours the full-day amount is paid.",
            ),
        ]

    def __str__(self) -> str:
        parts = []
        if self.hourly_rate is not None:
            parts.append(f"{pounds_text(self.hourly_rate)}/hour")
        if self.half_day_amount is not None:
            parts.append(
                f"{pounds_text(self.half_day_amount)} half day (from {hours_number(self.half_day_from_hours)} h)"
            )
        if self.full_day_amount is not None:
            parts.append(
                f"{pounds_text(self.full_day_amount)} full day (from {hours_number(self.full_day_from_hours)} h)"
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
                f"full day ({hours_number(hours)} h ≥ {hours_number(self.full_day_from_hours)} h): {pounds_text(self.full_day_amount)}",
            )
        if self.half_day_amount is not None and hours >= self.half_day_from_hours:
            return (
                to_money(self.half_day_amount),
                f"half day ({hours_number(hours)} h ≥ {hours_number(self.half_day_from_hours)} h): {pounds_text(self.half_day_amount)}",
            )
        if self.hourly_rate is None:
            # Only fixed amounts: a short session still earns the half-day amount.
            fixed = (
                self.half_day_amount if self.half_day_amount is not None else self.full_day_amount
            )
            return to_money(fixed), f"fixed amount: {pounds_text(fixed)}"
        amount = to_money(hours * self.hourly_rate)
        return (
            amount,
            f"{hours_number(hours)} h × {pounds_text(self.hourly_rate)}/h = {pounds_text(amount)}",
        )
