from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from advisors.audit import audited_register
from ascru_pie.lib.history import ChangedHistoricalRecords
from ascru_pie.lib.storage import private_storage
from ascru_pie.templatetags.words import day_text, plural_text, pounds_text
from rates.models import RateCard

# Bounds on the numbers people type, each refused with a plain message (forms, services, admin).
# The largest single expense claim: more than this is a mistake, or a cost the PIE team pays direct.
MAX_EXPENSE = Decimal("5000.00")
# Hours of work on one day.
MAX_HOURS_A_DAY = Decimal("24")
# The largest annual limit an advisor can set (far above any benefits threshold).
MAX_ANNUAL_LIMIT = Decimal("100000.00")
# The largest central budget for one category and year.
MAX_CENTRAL_BUDGET = Decimal("1000000.00")
# What a money column (max_digits=12, decimal_places=2) can hold: totals must stay below it.
MAX_MONEY = Decimal("9999999999.99")


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
                violation_error_message="Whoever built a batch cannot approve it: ask a colleague.",
            ),
        ]

    def __str__(self) -> str:
        return f"Batch {self.reference} ({pounds_text(self.total)}, {self.get_status_display().lower()})"

    # Where a batch is up to, as the PIE team says it: the stored status plus "exported".
    STAGE_WORDS = {
        "draft": "Draft: built, waiting for someone else to approve it for payment",
        "approved": "Approved for payment: not yet exported for finance",
        "exported": "Exported for finance: waiting to be marked paid",
        "paid": "Paid",
    }

    @property
    def stage(self) -> str:
        """ "draft", "approved", "exported" or "paid"."""
        if self.status == self.Status.BUILT:
            return "draft"
        if self.status == self.Status.PAID:
            return "paid"
        return "exported" if self.exported_at else "approved"

    @property
    def stage_words(self) -> str:
        return self.STAGE_WORDS[self.stage]


class BatchCounter(models.Model):
    """The last batch number given out on each day. Batch references come from here, under a
    row lock, so two batches built at the same moment never get the same reference."""

    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day"],
                name="payments_one_batch_counter_a_day",
                violation_error_message="There is already a batch counter for this day.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d %b %Y}: {self.last}"


# Hours of one person on one day: never negative, never more than the day has.
HOURS_A_DAY = [
    MinValueValidator(Decimal("0"), "Hours cannot be less than nothing."),
    MaxValueValidator(MAX_HOURS_A_DAY, "Enter no more than 24 hours for one day."),
]


class ClaimQuerySet(models.QuerySet):
    """The read rules about claims, written once: budgets, reports and reminders use these."""

    def committed(self) -> "ClaimQuerySet":
        """Money we owe or have paid: counts against budgets."""
        return self.filter(status__in=Claim.COMMITTED)

    def counted(self) -> "ClaimQuerySet":
        """Money claimed and not turned down: counts towards an advisor's tax-year total."""
        return self.exclude(status__in=Claim.NOT_COUNTED)

    def unpaid(self) -> "ClaimQuerySet":
        """Claims still on their way to being paid (corrections are not chased)."""
        return self.filter(status__in=Claim.UNPAID, reverses__isnull=True)

    def paid(self) -> "ClaimQuerySet":
        return self.filter(status=Claim.Status.PAID)

    def submitted(self) -> "ClaimQuerySet":
        return self.filter(status=Claim.Status.SUBMITTED)

    def towards_limit(self) -> "ClaimQuerySet":
        """Claims of the kinds that count towards an advisor's own annual limit
        (settings.ANNUAL_LIMIT_COUNTS: time payments only, or time and expenses)."""
        return self.filter(kind__in=Claim.limit_kinds())

    def ready_to_batch(self) -> "ClaimQuerySet":
        """Approved and in no payment batch yet."""
        return self.filter(status=Claim.Status.APPROVED, batch__isnull=True)

    def at_risk(self, *, today: date) -> "ClaimQuerySet":
        """Unpaid claims past, or within PAYMENT_AT_RISK_DAYS of, the payment target."""
        cutoff = today - timedelta(
            days=settings.PAYMENT_TARGET_DAYS - settings.PAYMENT_AT_RISK_DAYS
        )
        return self.unpaid().filter(activity_date__lte=cutoff)


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
    # Money we owe or have paid: counts against budgets.
    COMMITTED = [Status.APPROVED, Status.IN_BATCH, Status.PAID]
    # Turned down or withdrawn: not counted in an advisor's tax-year total.
    NOT_COUNTED = [Status.REJECTED, Status.CANCELLED]
    # On the way to being paid.
    UNPAID = [Status.SUBMITTED, Status.APPROVED, Status.IN_BATCH]
    # Which status may follow which. Paid and cancelled are final; corrections are reversals.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.SUBMITTED: frozenset({Status.APPROVED, Status.REJECTED, Status.CANCELLED}),
        Status.APPROVED: frozenset({Status.IN_BATCH, Status.CANCELLED, Status.SUBMITTED}),
        Status.REJECTED: frozenset({Status.SUBMITTED}),
        # Back to approved only when finance could not pay it (claim_unbatch).
        Status.IN_BATCH: frozenset({Status.PAID, Status.APPROVED}),
        Status.PAID: frozenset(),
        Status.CANCELLED: frozenset(),
    }

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
    hours = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=HOURS_A_DAY,
    )
    preparation_hours = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=HOURS_A_DAY,
    )
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
    # The one-time key of the form the claim was sent from: the same form sent again (a double
    # click, a reload, a retry) finds this claim instead of making a second one.
    submission_key = models.UUIDField(null=True, blank=True, editable=False)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-activity_date", "-pk"]
        indexes = [
            # The claims queue: one state, oldest (or newest) first; its counts by state.
            models.Index(fields=["status", "created_at", "id"], name="payments_claim_queue"),
            # The default order (the admin's changelist, newest activity first), and date
            # ranges (central budgets, at-risk claims, tax years).
            models.Index(fields=["-activity_date", "-id"], name="payments_claim_newest"),
            # An advisor's latest claim (the inactive-advisors reminder, her payments page).
            models.Index(fields=["advisor", "created_at"], name="payments_claim_advisor_when"),
            # Claims still on their way, oldest activity first: the at-risk list and its
            # counts read a few thousand rows of this, never the years of paid claims.
            models.Index(
                fields=["activity_date"],
                condition=Q(status__in=["submitted", "approved", "in_batch"]),
                name="payments_claim_unpaid",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) | Q(reverses__isnull=False),
                name="payments_amount_non_negative",
                violation_error_message="A claim cannot be for less than £0.00.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["in_batch", "paid"]) | Q(batch__isnull=False),
                name="payments_batched_claims_have_a_batch",
                violation_error_message="A claim being paid or paid must be in a payment batch.",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False),
                name="payments_paid_claims_have_a_date",
                violation_error_message="A paid claim needs the date it was paid.",
            ),
            # A claim is reversed at most once.
            models.UniqueConstraint(
                fields=["reverses"],
                name="payments_one_reversal_per_claim",
                violation_error_message="This claim has already been corrected.",
            ),
            models.UniqueConstraint(
                fields=["submission_key"],
                name="payments_one_claim_per_submission",
                violation_error_message="This claim has already been sent.",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} claim #{self.pk}: {self.advisor} "
            f"{pounds_text(self.amount)} ({self.get_status_display()})"
        )

    @staticmethod
    def limit_kinds() -> list[str]:
        """The kinds of claim that count towards an advisor's own annual limit.

        Money paid back for out-of-pocket expenses is treated differently from pay by most
        benefits rules, so by default only time counts (settings.ANNUAL_LIMIT_COUNTS).
        """
        if settings.ANNUAL_LIMIT_COUNTS == "all":
            return [Claim.Kind.TIME, Claim.Kind.EXPENSE]
        return [Claim.Kind.TIME]

    @property
    def counts_towards_limit(self) -> bool:
        return self.is_counted and self.kind in self.limit_kinds()

    @property
    def is_locked(self) -> bool:
        return self.status in self.LOCKED

    @property
    def entered_on_behalf(self) -> bool:
        """Typed in by someone other than the advisor (taken by phone or on paper, or a
        correction). Claims from a confirmed attendance follow the meeting's register."""
        return (
            self.created_by_id is not None
            and self.created_by_id != self.advisor.user_id
            and self.attendance_id is None
        )

    def approval_refused_for(self, user) -> str:
        """Why `user` may not approve this claim, or '' if they may (segregation of duties)."""
        if self.advisor.user_id is not None and self.advisor.user_id == user.pk:
            return "You cannot approve your own claim: ask a colleague."
        if self.entered_on_behalf and self.created_by_id == user.pk:
            return (
                "You entered this claim for the advisor, so someone else must approve it: "
                "ask a colleague."
            )
        return ""

    def can_become(self, status: str) -> bool:
        """Whether the claim may move from its status to `status` (Claim.TRANSITIONS)."""
        return status in self.TRANSITIONS[self.status]

    @property
    def is_counted(self) -> bool:
        return self.status not in self.NOT_COUNTED

    @property
    def expected_payment_date(self):
        """When we aim to pay: the target number of days after the activity."""
        if self.status == self.Status.PAID:
            return self.paid_on
        if self.status in (self.Status.REJECTED, self.Status.CANCELLED):
            return None
        return self.due_on

    @property
    def due_on(self) -> date:
        """The payment target: PAYMENT_TARGET_DAYS after the activity."""
        return self.activity_date + timedelta(days=settings.PAYMENT_TARGET_DAYS)

    @property
    def risk_words(self) -> str:
        """Overdue by 3 days / Due today / Due in 2 days, against the payment target."""
        late = (timezone.localdate() - self.due_on).days
        if late > 0:
            return f"Overdue by {plural_text(late, 'day')}"
        if late == 0:
            return "Due today"
        return f"Due in {plural_text(-late, 'day')}"

    @property
    def kind_words(self) -> str:
        """What the claim is for, as the PIE team says it."""
        if self.kind == self.Kind.TIME:
            return f"Time: {self.get_activity_display() or 'meeting attendance'}"
        return f"Expenses: {(self.get_expense_type_display() or 'other').lower()}"

    @property
    def what_words(self) -> str:
        """What the claim is for, as the advisor reads it."""
        if self.reverses_id:
            return "Correction"
        if self.kind == self.Kind.TIME:
            return f"Time: {self.get_activity_display().lower()}" if self.activity else "Time"
        return (
            f"Expenses: {self.get_expense_type_display().lower()}"
            if self.expense_type
            else "Expenses"
        )

    @property
    def status_words(self) -> str:
        """Where the claim is up to, in plain words for the advisor."""
        if self.status == self.Status.PAID and self.paid_on:
            return f"Paid on {day_text(self.paid_on)}"
        if self.status == self.Status.REJECTED and self.rejection_reason:
            return f"Rejected: {self.rejection_reason}"
        return ADVISOR_STATUS_WORDS[self.status]

    @property
    def expected_words(self) -> str:
        # A correction is not a payment to make, and a paid claim already says when it was paid.
        if self.reverses_id or self.status == self.Status.PAID:
            return ""
        expected = self.expected_payment_date
        if not expected:
            return ""
        if expected < timezone.localdate():
            return LATE_PAYMENT_WORDS
        return f"We aim to pay by {day_text(expected)}"

    @property
    def days_to_pay(self) -> int | None:
        return (self.paid_on - self.activity_date).days if self.paid_on else None

    @property
    def days_to_pay_words(self) -> str:
        """'12 days after the activity'; a paid date before the activity is said to be wrong."""
        days = self.days_to_pay
        if days is None:
            return ""
        if days < 0:
            return "the paid date is before the activity: check it"
        return f"{plural_text(days, 'day')} after the activity"


# What an advisor reads once the date we aim to pay by has passed and the claim is still unpaid.
LATE_PAYMENT_WORDS = "This is later than we aim to pay, and we are sorting it out"

# Where a claim is up to, in plain words. Paid and rejected add a date or the reason.
ADVISOR_STATUS_WORDS = {
    Claim.Status.SUBMITTED: "Submitted: waiting for the PIE team to check it",
    Claim.Status.APPROVED: "Approved: it will be paid in the next payment run",
    Claim.Status.IN_BATCH: "In a payment batch: being paid",
    Claim.Status.PAID: "Paid",
    Claim.Status.REJECTED: "Rejected",
    Claim.Status.CANCELLED: "Cancelled",
}


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

    # Who changed them and when. The history keeps the encrypted values only, and the
    # advisor's history page shows the last four digits, never the rest (advisors.audit).
    history = ChangedHistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name_plural = "bank details"

    def __str__(self) -> str:
        return f"{self.account_name}, account ending {self.account_number_last4}"

    @property
    def masked(self) -> str:
        return f"Account ending {self.account_number_last4} ({self.account_name})"


audited_register(
    BankDetails,
    label="Bank details",
    permission="payments.view_historicalbankdetails",
    hidden_fields=["sort_code_encrypted", "account_number_encrypted"],
)


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
    amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[
            MinValueValidator(Decimal("0"), "A budget cannot be less than £0.00."),
            MaxValueValidator(
                MAX_CENTRAL_BUDGET,
                f"A central budget can be up to {pounds_text(MAX_CENTRAL_BUDGET)}. Please check the amount.",
            ),
        ],
    )

    class Meta:
        ordering = ["-year_starting", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["year_starting", "category"],
                name="payments_one_central_budget",
                violation_error_message="There is already a budget for this category in this year: change that one instead.",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="payments_central_budget_non_negative",
                violation_error_message="A budget cannot be less than £0.00.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} from {self.year_starting:%d %b %Y}: {pounds_text(self.amount)}"


class BankDetailsChange(models.Model):
    """Every change of bank details: who, when, the last digits before and after (never the rest).

    Details the advisor enters themselves are used at once. Details staff enter for them wait
    (pending, kept encrypted here) until the advisor or a second member of staff confirms
    them: one person alone can never redirect an advisor's payments.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        APPLIED = "applied", "In use"
        CANCELLED = "cancelled", "Replaced before it was confirmed"

    advisor = models.ForeignKey(
        "advisors.Advisor", on_delete=models.CASCADE, related_name="bank_details_changes"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    old_last4 = models.CharField(max_length=4, blank=True)
    new_last4 = models.CharField(max_length=4)
    # The one-time key of the form the change came from: sending it again changes nothing.
    submission_key = models.UUIDField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.APPLIED)
    # The new details while they wait for confirmation; emptied once used or replaced.
    account_name = models.CharField(max_length=100, blank=True)
    sort_code_encrypted = models.TextField(blank=True)
    account_number_encrypted = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission_key"],
                name="payments_one_bank_change_per_submission",
                violation_error_message="These bank details have already been saved.",
            ),
            # Four eyes: whoever entered the details cannot be the one who confirms them.
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=models.F("by")),
                name="payments_bank_change_confirmed_by_another",
                violation_error_message="Whoever entered these details cannot confirm them.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.advisor}: account ending {self.old_last4 or '—'} → {self.new_last4}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
