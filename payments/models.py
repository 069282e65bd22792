from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from ascru_pie.lib.money import to_money
from ascru_pie.lib.storage import private_storage


def _hours(value) -> str:
    """2.50 -> '2.5', 3.00 -> '3': hours as people write them."""
    return f"{Decimal(value).normalize():f}"


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
                fields=["activity", "effective_from"], name="payments_one_rate_per_day"
            ),
            models.CheckConstraint(
                condition=Q(hourly_rate__isnull=False)
                | Q(half_day_amount__isnull=False)
                | Q(full_day_amount__isnull=False),
                name="payments_rate_has_an_amount",
            ),
            models.CheckConstraint(
                condition=(Q(hourly_rate__isnull=True) | Q(hourly_rate__gte=0))
                & (Q(half_day_amount__isnull=True) | Q(half_day_amount__gte=0))
                & (Q(full_day_amount__isnull=True) | Q(full_day_amount__gte=0)),
                name="payments_rate_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(half_day_amount__isnull=True) | Q(half_day_from_hours__isnull=False),
                name="payments_half_day_needs_hours",
            ),
            models.CheckConstraint(
                condition=Q(full_day_amount__isnull=True) | Q(full_day_from_hours__isnull=False),
                name="payments_full_day_needs_hours",
            ),
        ]

    def __str__(self) -> str:
        parts = []
        if self.hourly_rate is not None:
            parts.append(f"£{self.hourly_rate}/hour")
        if self.half_day_amount is not None:
            parts.append(
                f"£{self.half_day_amount} half day (from {_hours(self.half_day_from_hours)} h)"
            )
        if self.full_day_amount is not None:
            parts.append(
                f"£{self.full_day_amount} full day (from {_hours(self.full_day_from_hours)} h)"
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
                f"full day ({_hours(hours)} h ≥ {_hours(self.full_day_from_hours)} h): £{self.full_day_amount}",
            )
        if self.half_day_amount is not None and hours >= self.half_day_from_hours:
            return (
                to_money(self.half_day_amount),
                f"half day ({_hours(hours)} h ≥ {_hours(self.half_day_from_hours)} h): £{self.half_day_amount}",
            )
        if self.hourly_rate is None:
            # Only fixed amounts: a short session still earns the half-day amount.
            fixed = (
                self.half_day_amount if self.half_day_amount is not None else self.full_day_amount
            )
            return to_money(fixed), f"fixed amount: £{fixed}"
        amount = to_money(hours * self.hourly_rate)
        return amount, f"{_hours(hours)} h × £{self.hourly_rate}/h = £{amount}"


class PaymentBatch(models.Model):
    """Approved claims paid together through the university finance system.

    Built by one person, approved for payment by another, exported, then marked paid.
    """

    class Status(models.TextChoices):
        BUILT = "built", "Built, waiting for approval"
        APPROVED = "approved", "Approved for payment"
        PAID = "paid", "Paid"

    reference = models.CharField(max_length=30, unique=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.BUILT)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "payment batches"
        constraints = [
            # Four eyes: whoever built a batch cannot approve it.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("created_by")),
                name="payments_batch_builder_cannot_approve",
            ),
        ]

    def __str__(self) -> str:
        return f"Batch {self.reference} (£{self.total}, {self.get_status_display().lower()})"


class Claim(models.Model):
    """Money owed to an advisor: time (from attendance or logged activity) or expenses.

    The rate and the computation are copied onto the claim, so later rate changes never
    alter it. Paid claims are never edited: corrections are new reversing claims.
    """

    class Kind(models.TextChoices):
        TIME = "time", "Time"
        EXPENSE = "expense", "Expenses"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        IN_BATCH = "in_batch", "In a payment batch"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"

    class ExpenseType(models.TextChoices):
        TRAVEL = "travel", "Travel"
        CARER = "carer", "Carer or companion cost"
        SUBSISTENCE = "subsistence", "Food and drink (subsistence)"
        ONLINE = "online", "Online meeting allowance (internet, phone)"
        OTHER = "other", "Other"

    # Money in these states has left, or is leaving, our hands: the claim is frozen.
    LOCKED = [Status.IN_BATCH, Status.PAID]
    # Money we owe or have paid: counts against budgets and the advisor's annual total.
    COMMITTED = [Status.APPROVED, Status.IN_BATCH, Status.PAID]

    advisor = models.ForeignKey("advisors.Advisor", on_delete=models.PROTECT, related_name="claims")
    kind = models.CharField(max_length=10, choices=Kind)
    status = models.CharField(max_length=10, choices=Status, default=Status.SUBMITTED)
    activity = models.CharField(max_length=30, choices=RateCard.Activity, blank=True)
    expense_type = models.CharField(max_length=15, choices=ExpenseType, blank=True)
    activity_date = models.DateField()
    description = models.CharField(max_length=300)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    # One attendance is paid by at most one claim, whatever path writes it.
    attendance = models.OneToOneField(
        "meetings.Attendance", on_delete=models.PROTECT, null=True, blank=True, related_name="claim"
    )
    hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    preparation_hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    rate_snapshot = models.JSONField(
        default=dict, blank=True, help_text="The rate rows used, as they were."
    )
    computation = models.TextField(blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    receipt = models.FileField(upload_to="receipts/%Y/%m/", storage=private_storage, blank=True)
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals"
    )
    rejection_reason = models.TextField(blank=True)
    # A claim is in at most one batch: a single foreign key, set under a row lock.
    batch = models.ForeignKey(
        PaymentBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-activity_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) | Q(reverses__isnull=False),
                name="payments_amount_non_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["in_batch", "paid"]) | Q(batch__isnull=False),
                name="payments_batched_claims_have_a_batch",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False),
                name="payments_paid_claims_have_a_date",
            ),
            # A claim is reversed at most once.
            models.UniqueConstraint(fields=["reverses"], name="payments_one_reversal_per_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} claim #{self.pk}: {self.advisor} £{self.amount} ({self.get_status_display()})"

    @property
    def is_locked(self) -> bool:
        return self.status in self.LOCKED

    @property
    def expected_payment_date(self):
        """When we aim to pay: the target number of days after the activity."""
        from datetime import timedelta

        if self.status == self.Status.PAID:
            return self.paid_on
        if self.status in (self.Status.REJECTED, self.Status.CANCELLED):
            return None
        return self.activity_date + timedelta(days=settings.PAYMENT_TARGET_DAYS)

    @property
    def days_to_pay(self) -> int | None:
        return (self.paid_on - self.activity_date).days if self.paid_on else None


class ClaimEvent(models.Model):
    """The audit trail of every change to a claim's money or status: who, when, old → new."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=10, choices=Claim.Status, blank=True)
    to_status = models.CharField(max_length=10, choices=Claim.Status)
    old_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    new_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status} ({self.old_amount} → {self.new_amount})"


class BankDetails(models.Model):
    """An advisor's bank details, encrypted at rest; only the last digits are ever shown."""

    advisor = models.OneToOneField(
        "advisors.Advisor", on_delete=models.CASCADE, related_name="bank_details"
    )
    account_name = models.CharField(max_length=100)
    sort_code_encrypted = models.TextField()
    account_number_encrypted = models.TextField()
    account_number_last4 = models.CharField(max_length=4)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "bank details"

    def __str__(self) -> str:
        return f"{self.account_name}, account ending {self.account_number_last4}"

    @property
    def masked(self) -> str:
        return f"Account ending {self.account_number_last4} ({self.account_name})"


class CentralBudget(models.Model):
    """The unit's central PIE budget for a financial year, by category (not project budgets)."""

    class Category(models.TextChoices):
        PIEG = "pieg", "PIEG meetings"
        MANAGEMENT = "management", "Management Group meetings"
        TRAINING = "training", "Training"
        SUPPORT = "support", "Support for advisors"

    year_starting = models.DateField(
        help_text="The first day of the financial year, e.g. 1 April 2026."
    )
    category = models.CharField(max_length=15, choices=Category)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["-year_starting", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["year_starting", "category"], name="payments_one_central_budget"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="payments_central_budget_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} from {self.year_starting:%d %b %Y}: £{self.amount}"


class BankDetailsChange(models.Model):
    """Every change of bank details: who, when, the last digits before and after (never the rest)."""

    advisor = models.ForeignKey(
        "advisors.Advisor", on_delete=models.CASCADE, related_name="bank_details_changes"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    old_last4 = models.CharField(max_length=4, blank=True)
    new_last4 = models.CharField(max_length=4)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.advisor}: account ending {self.old_last4 or '—'} → {self.new_last4}"
