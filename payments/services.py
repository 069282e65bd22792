"""Money: claims at the rate in force on the day, approval, payment batches, budgets.

Every change to a claim's money or status is audited (ClaimEvent) and made under a row
lock after re-checking the current state, so double clicks, two people at once and
retried tasks can never pay a claim twice.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from advisors.models import Advisor, PaymentPreference
from ascru_pie.lib.crypto import encrypt
from ascru_pie.lib.emails import make_message
from ascru_pie.lib.money import ZERO, to_money
from ascru_pie.models import User
from ascru_pie.roles import Role

from .models import (
    BankDetails,
    BankDetailsChange,
    CentralBudget,
    Claim,
    ClaimEvent,
    PaymentBatch,
    RateCard,
)


def _snapshot(rate: RateCard) -> dict:
    return {
        "id": rate.pk,
        "activity": rate.activity,
        "effective_from": rate.effective_from.isoformat(),
        "hourly_rate": str(rate.hourly_rate) if rate.hourly_rate is not None else None,
        "half_day_amount": str(rate.half_day_amount) if rate.half_day_amount is not None else None,
        "half_day_from_hours": str(rate.half_day_from_hours)
        if rate.half_day_from_hours is not None
        else None,
        "full_day_amount": str(rate.full_day_amount) if rate.full_day_amount is not None else None,
        "full_day_from_hours": str(rate.full_day_from_hours)
        if rate.full_day_from_hours is not None
        else None,
    }


def _rate(activity: str, on) -> RateCard:
    rate = RateCard.objects.in_force(activity=activity, on=on)
    if rate is None:
        raise ValidationError(
            f"There is no rate for {RateCard.Activity(activity).label.lower()} on {on:%d %B %Y}. "
            "Add one to the rate card first; nothing has been saved."
        )
    return rate


@dataclass
class TimeAmount:
    amount: Decimal
    computation: str
    snapshot: dict


def time_amount(
    *, on, hours: Decimal, preparation_hours: Decimal, activity: str = RateCard.Activity.MEETING
) -> TimeAmount:
    """Pay for `hours` of `activity` plus preparation, at the rates in force on date `on`."""
    amount, parts, snapshot = ZERO, [], {}
    if hours > 0:
        rate = _rate(activity, on)
        paid, how = rate.amount_for(hours)
        amount += paid
        parts.append(f"{RateCard.Activity(activity).label}: {how}")
        snapshot[activity] = _snapshot(rate)
    if preparation_hours > 0:
        rate = _rate(RateCard.Activity.PREPARATION, on)
        paid, how = rate.amount_for(preparation_hours)
        amount += paid
        parts.append(f"Preparation: {how}")
        snapshot[RateCard.Activity.PREPARATION] = _snapshot(rate)
    return TimeAmount(to_money(amount), "; ".join(parts) or "no paid time", snapshot)


def _audit(claim: Claim, *, by: User | None, from_status: str, old_amount, note: str = "") -> None:
    ClaimEvent.objects.create(
        claim=claim,
        by=by,
        from_status=from_status,
        to_status=claim.status,
        old_amount=old_amount,
        new_amount=claim.amount,
        note=note,
    )


@dataclass
class ClaimOutcome:
    """What happened to the claim of one attendance, for the screen to say."""

    claim: Claim | None
    outcome: str  # created, updated, unchanged, locked, cancelled, declined, none

    @property
    def message(self) -> str:
        return {
            "created": "claim created",
            "updated": "claim updated",
            "unchanged": "claim unchanged",
            "locked": "already paid or in a payment batch: left unchanged (correct it with a reversing claim)",
            "cancelled": "claim cancelled",
            "declined": "no claim: this advisor has chosen not to be paid",
            "none": "no claim",
        }[self.outcome]


def claim_sync_for_attendance(*, attendance, by: User | None) -> ClaimOutcome:
    """Make the time claim of an attendance match it: create, update or cancel, never duplicate.

    Must run inside a transaction; locks the claim row. A claim in a batch or paid is never
    touched. Every change is audited.
    """
    meeting = attendance.meeting
    claim = Claim.objects.select_for_update().filter(attendance=attendance).first()
    wants_pay = attendance.status != attendance.Status.ABSENT
    declines = attendance.advisor.payment_preference == PaymentPreference.DECLINE

    if claim is not None and claim.is_locked:
        return ClaimOutcome(claim, "locked")
    if not wants_pay or declines:
        if claim is not None and claim.status != Claim.Status.CANCELLED:
            old_status, old_amount = claim.status, claim.amount
            claim.status = Claim.Status.CANCELLED
            claim.save(update_fields=["status", "updated_at"])
            _audit(
                claim,
                by=by,
                from_status=old_status,
                old_amount=old_amount,
                note="Advisor declines payment" if declines else "Attendance changed to absent",
            )
            return ClaimOutcome(claim, "cancelled")
        return ClaimOutcome(claim, "declined" if declines and wants_pay else "none")

    on = timezone.localtime(meeting.starts_at).date()
    computed = time_amount(
        on=on, hours=attendance.hours_attended, preparation_hours=attendance.preparation_hours
    )
    # If the meeting's date or title was corrected, the claim follows (until it is paid).
    values = {
        "activity_date": on,
        "description": f"Attended {meeting.title}",
        "project_id": meeting.project_id,
        "hours": attendance.hours_attended,
        "preparation_hours": attendance.preparation_hours,
        "amount": computed.amount,
        "computation": computed.computation,
        "rate_snapshot": computed.snapshot,
    }
    if claim is None:
        claim = Claim.objects.create(
            advisor=attendance.advisor,
            kind=Claim.Kind.TIME,
            activity=RateCard.Activity.MEETING,
            meeting=meeting,
            attendance=attendance,
            created_by=by,
            **values,
        )
        _audit(
            claim, by=by, from_status="", old_amount=None, note="Created from confirmed attendance"
        )
        return ClaimOutcome(claim, "created")

    changed = (
        any(getattr(claim, k) != v for k, v in values.items())
        or claim.status == Claim.Status.CANCELLED
    )
    if not changed:
        return ClaimOutcome(claim, "unchanged")
    old_status, old_amount = claim.status, claim.amount
    for k, v in values.items():
        setattr(claim, k, v)
    # A changed amount needs approving again.
    claim.status = Claim.Status.SUBMITTED
    claim.save()
    _audit(claim, by=by, from_status=old_status, old_amount=old_amount, note="Attendance edited")
    return ClaimOutcome(claim, "updated")


def claims_sync_for_meeting(*, meeting, by: User | None) -> list[ClaimOutcome]:
    with transaction.atomic():
        return [
            claim_sync_for_attendance(attendance=a, by=by)
            for a in meeting.attendances.select_related("advisor", "meeting")
        ]


# --- the claim state machine ----------------------------------------------------------------

# Which status may follow which. Paid and cancelled are final; corrections are reversals.
CLAIM_TRANSITIONS: dict[str, set[str]] = {
    Claim.Status.SUBMITTED: {Claim.Status.APPROVED, Claim.Status.REJECTED, Claim.Status.CANCELLED},
    Claim.Status.APPROVED: {Claim.Status.IN_BATCH, Claim.Status.CANCELLED, Claim.Status.SUBMITTED},
    Claim.Status.REJECTED: {Claim.Status.SUBMITTED},
    # Back to approved only when finance could not pay it (claim_unbatch).
    Claim.Status.IN_BATCH: {Claim.Status.PAID, Claim.Status.APPROVED},
    Claim.Status.PAID: set(),
    Claim.Status.CANCELLED: set(),
}


def _require(user: User | None, *roles: str, action: str) -> None:
    if user is None or not user.has_role(*roles):
        raise PermissionDenied(f"Only the PIE team or finance can {action}.")


def _transition(
    claim: Claim, to_status: str, *, by: User | None, note: str = "", **changes
) -> Claim:
    """Move a locked claim to `to_status` if the table allows it; audit the change."""
    if to_status not in CLAIM_TRANSITIONS[claim.status]:
        raise ValidationError(
            f"A claim that is {claim.get_status_display().lower()} cannot become "
            f"{Claim.Status(to_status).label.lower()}."
        )
    old_status, old_amount = claim.status, claim.amount
    claim.status = to_status
    for field, value in changes.items():
        setattr(claim, field, value)
    claim.save()
    _audit(claim, by=by, from_status=old_status, old_amount=old_amount, note=note)
    return claim


def _locked(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().select_related("advisor").get(pk=claim.pk)


def claim_approve(*, claim: Claim, by: User) -> Claim:
    """Approve a submitted claim. Approving an approved claim again does nothing."""
    _require(by, Role.PIE_TEAM, Role.FINANCE, action="approve claims")
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status in Claim.COMMITTED:
            return claim
        if claim.advisor.user_id == by.pk:
            raise ValidationError("You cannot approve your own claim: ask a colleague.")
        return _transition(
            claim, Claim.Status.APPROVED, by=by, approved_by=by, approved_at=timezone.now()
        )


def claim_reject(*, claim: Claim, by: User, reason: str) -> Claim:
    """Reject with a reason the advisor sees."""
    _require(by, Role.PIE_TEAM, Role.FINANCE, action="reject claims")
    if not reason.strip():
        raise ValidationError("Give a reason: the advisor will see it.")
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status == Claim.Status.REJECTED:
            return claim
        return _transition(
            claim, Claim.Status.REJECTED, by=by, note=reason, rejection_reason=reason
        )


def claim_cancel(*, claim: Claim, by: User | None, reason: str = "") -> Claim:
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status == Claim.Status.CANCELLED:
            return claim
        return _transition(claim, Claim.Status.CANCELLED, by=by, note=reason or "Cancelled")


def claim_reverse(*, claim: Claim, by: User, reason: str) -> Claim:
    """Correct a paid claim: a new claim for minus its amount. The paid claim never changes."""
    _require(by, Role.PIE_TEAM, Role.FINANCE, action="correct paid claims")
    if not reason.strip():
        raise ValidationError("Say why the claim is being corrected.")
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status != Claim.Status.PAID:
            raise ValidationError(
                "Only a paid claim is corrected by reversing it; change or cancel the others."
            )
        if claim.reverses_id:
            raise ValidationError(
                "This claim is itself a correction; correct the original claim instead."
            )
        existing = claim.reversals.first()
        if existing:
            return existing
        reversal = Claim.objects.create(
            advisor=claim.advisor,
            kind=claim.kind,
            activity=claim.activity,
            expense_type=claim.expense_type,
            activity_date=claim.activity_date,
            description=f"Correction of claim #{claim.pk}: {reason}",
            project=claim.project,
            meeting=claim.meeting,
            amount=-claim.amount,
            reverses=claim,
            computation=f"Reverses claim #{claim.pk} (£{claim.amount})",
            created_by=by,
        )
        _audit(reversal, by=by, from_status="", old_amount=None, note=reason)
    return reversal


# --- advisors' own claims ------------------------------------------------------------------


def tax_year(on: date) -> tuple[date, date]:
    """The UK tax year containing `on`: 6 April to 5 April."""
    start_year = on.year if on >= date(on.year, 4, 6) else on.year - 1
    return date(start_year, 4, 6), date(start_year + 1, 4, 5)


def advisor_tax_year_total(*, advisor: Advisor, on: date) -> Decimal:
    """Money claimed (not rejected or cancelled) in the tax year containing `on`."""
    start, end = tax_year(on)
    total = (
        Claim.objects.filter(advisor=advisor, activity_date__range=(start, end))
        .exclude(status__in=[Claim.Status.REJECTED, Claim.Status.CANCELLED])
        .aggregate(total=Sum("amount"))["total"]
    )
    return total or ZERO


def _limit_sentence(advisor: Advisor, start: date, end: date, new_total: Decimal) -> str:
    return (
        f"This would take payments for the tax year {start.day} {start:%B %Y} to {end.day} {end:%B %Y} to "
        f"£{new_total}, over the limit of £{advisor.annual_limit} set for {advisor.full_name}."
    )


NOT_COUNTED = [Claim.Status.REJECTED, Claim.Status.CANCELLED]


def annual_limit_warning(
    *, advisor: Advisor, on: date, amount: Decimal, exclude: Claim | None = None
) -> str:
    """A warning if `amount` would take the advisor over the limit they set, else ''."""
    if advisor.annual_limit is None:
        return ""
    total = advisor_tax_year_total(advisor=advisor, on=on)
    if exclude is not None and exclude.status not in NOT_COUNTED:
        total -= exclude.amount
    if total + amount <= advisor.annual_limit:
        return ""
    start, end = tax_year(on)
    return _limit_sentence(advisor, start, end, total + amount)


def annual_limit_warnings(*, claims: list[Claim]) -> dict[int, str]:
    """annual_limit_warning(exclude=claim) for many claims (claim id -> warning), in one query.

    Tax-year totals of every advisor with a limit, one column per tax year the claims fall in.
    """
    limited = [c for c in claims if c.advisor.annual_limit is not None]
    if not limited:
        return {}
    years = sorted({tax_year(c.activity_date) for c in limited})
    sums = {
        f"y{start:%Y}": Sum("amount", filter=Q(activity_date__range=(start, end)))
        for start, end in years
    }
    rows = (
        Claim.objects.filter(advisor_id__in={c.advisor_id for c in limited})
        .exclude(status__in=NOT_COUNTED)
        .values("advisor_id")
        .annotate(**sums)
        .order_by()
    )
    totals = {row["advisor_id"]: row for row in rows}
    warnings = {}
    for claim in limited:
        start, end = tax_year(claim.activity_date)
        total = to_money(totals.get(claim.advisor_id, {}).get(f"y{start:%Y}") or ZERO)
        if claim.status not in NOT_COUNTED:
            total -= claim.amount  # the claim itself is added below, as exclude=claim does
        if total + claim.amount > claim.advisor.annual_limit:
            warnings[claim.pk] = _limit_sentence(claim.advisor, start, end, total + claim.amount)
    return warnings


RECEIPT_SIGNATURES = {b"%PDF-": "PDF", b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


def receipt_check(upload) -> None:
    """PDF, JPEG or PNG only, by content (not just the name), and not too large."""
    if upload.size > settings.RECEIPT_MAX_BYTES:
        raise ValidationError(
            f"The receipt is {_size(upload.size)}; the largest we accept is "
            f"{_size(settings.RECEIPT_MAX_BYTES)}. Try a smaller photo or scan."
        )
    head = upload.read(16)
    upload.seek(0)
    kind = next((name for sig, name in RECEIPT_SIGNATURES.items() if head.startswith(sig)), None)
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    allowed = {"PDF": {"pdf"}, "JPEG": {"jpg", "jpeg"}, "PNG": {"png"}}
    if kind is None or extension not in allowed[kind]:
        raise ValidationError(
            "The receipt must be a PDF, JPEG or PNG file. This file is not one of those."
        )


DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)


def _refuse_double_submit(
    *, advisor: Advisor, kind: str, activity_date: date, amount: Decimal, description: str
) -> None:
    """The same claim sent again a moment later (a double click, a reload) is not a second claim."""
    recent = Claim.objects.filter(
        advisor=advisor,
        kind=kind,
        activity_date=activity_date,
        amount=amount,
        description=description,
        created_at__gte=timezone.now() - DOUBLE_SUBMIT_WINDOW,
    ).exclude(status__in=NOT_COUNTED)
    if recent.exists():
        raise ValidationError(
            "This claim has just been sent, so it was not sent again. You can see it in the list of claims."
        )


def claim_expense_submit(
    *,
    advisor: Advisor,
    by: User,
    expense_type: str,
    activity_date: date,
    amount: Decimal,
    description: str,
    receipt=None,
    project=None,
    meeting=None,
) -> tuple[Claim, str]:
    """An expense claim (by the advisor, or staff on their behalf). Returns (claim, limit warning)."""
    if amount <= 0:
        raise ValidationError("Enter an amount of more than £0.00.")
    if activity_date > timezone.localdate():
        raise ValidationError("The date of the expense cannot be in the future.")
    if receipt is not None:
        receipt_check(receipt)
    _refuse_double_submit(
        advisor=advisor,
        kind=Claim.Kind.EXPENSE,
        activity_date=activity_date,
        amount=to_money(amount),
        description=description,
    )
    warning = annual_limit_warning(advisor=advisor, on=activity_date, amount=to_money(amount))
    with transaction.atomic():
        claim = Claim(
            advisor=advisor,
            kind=Claim.Kind.EXPENSE,
            expense_type=expense_type,
            activity_date=activity_date,
            amount=to_money(amount),
            description=description,
            project=project or (meeting.project if meeting else None),
            meeting=meeting,
            created_by=by,
            computation="Expense as claimed",
        )
        if receipt is not None:
            claim.receipt = receipt
        claim.full_clean()
        claim.save()
        _audit(
            claim,
            by=by,
            from_status="",
            old_amount=None,
            note="Entered by staff" if by != advisor.user else "Submitted in the portal",
        )
    return claim, warning


def claim_time_log(
    *,
    advisor: Advisor,
    by: User,
    activity: str,
    activity_date: date,
    hours: Decimal,
    description: str,
    project=None,
) -> tuple[Claim, str]:
    """Time spent on other activity (e.g. document review), at the rate in force that day."""
    if activity == RateCard.Activity.MEETING:
        raise ValidationError(
            "Meeting time is paid from the attendance record, so it cannot be logged here."
        )
    if hours <= 0 or hours > 24:
        raise ValidationError("Enter the hours spent: more than 0 and no more than 24.")
    if activity_date > timezone.localdate():
        raise ValidationError("The date cannot be in the future.")
    if advisor.payment_preference == PaymentPreference.DECLINE:
        raise ValidationError(
            f"{advisor.full_name} has chosen not to be paid, so no claim is made."
        )
    computed = time_amount(on=activity_date, hours=hours, preparation_hours=ZERO, activity=activity)
    _refuse_double_submit(
        advisor=advisor,
        kind=Claim.Kind.TIME,
        activity_date=activity_date,
        amount=computed.amount,
        description=description,
    )
    warning = annual_limit_warning(advisor=advisor, on=activity_date, amount=computed.amount)
    with transaction.atomic():
        claim = Claim(
            advisor=advisor,
            kind=Claim.Kind.TIME,
            activity=activity,
            activity_date=activity_date,
            hours=hours,
            description=description,
            project=project,
            created_by=by,
            amount=computed.amount,
            computation=computed.computation,
            rate_snapshot=computed.snapshot,
        )
        claim.full_clean()
        claim.save()
        _audit(claim, by=by, from_status="", old_amount=None, note="Time logged")
    return claim, warning


def bank_details_set(
    *,
    advisor: Advisor,
    account_name: str,
    sort_code: str,
    account_number: str,
    by: User | None = None,
) -> BankDetails:
    """Store bank details encrypted; only the last four digits are kept readable.

    Every change is recorded (BankDetailsChange) and the advisor is emailed, so a change they
    did not make is noticed before money goes to the wrong account.
    """
    sort_code = "".join(c for c in sort_code if c.isdigit())
    account_number = "".join(c for c in account_number if c.isdigit())
    if len(sort_code) != 6:
        raise ValidationError("A sort code has 6 digits, like 12-34-56.")
    if len(account_number) != 8:
        raise ValidationError("An account number has 8 digits.")
    with transaction.atomic():
        old = BankDetails.objects.select_for_update().filter(advisor=advisor).first()
        details, _ = BankDetails.objects.update_or_create(
            advisor=advisor,
            defaults={
                "account_name": account_name.strip(),
                "sort_code_encrypted": encrypt(sort_code),
                "account_number_encrypted": encrypt(account_number),
                "account_number_last4": account_number[-4:],
            },
        )
        BankDetailsChange.objects.create(
            advisor=advisor,
            by=by,
            old_last4=old.account_number_last4 if old else "",
            new_last4=account_number[-4:],
        )
        if advisor.email:
            message = make_message(
                "bank-details-changed", advisor.email, {"advisor": advisor, "details": details}
            )
            transaction.on_commit(message.send)
    return details


# --- payment batches -------------------------------------------------------------------------


def _next_reference(today: date) -> str:
    prefix = f"PIE-{today:%Y%m%d}-"
    n = PaymentBatch.objects.filter(reference__startswith=prefix).count() + 1
    return f"{prefix}{n:02d}"


def batch_build(*, by: User, claim_ids: list[int] | None = None) -> PaymentBatch:
    """Put approved, unbatched claims into a new batch (all of them, or the ones chosen).

    Rows are locked and re-checked, so two people building at once never share a claim:
    the second finds them taken (on PostgreSQL it skips the locked rows).
    """
    _require(by, Role.PIE_TEAM, Role.FINANCE, action="build payment batches")
    with transaction.atomic():
        candidates = Claim.objects.filter(status=Claim.Status.APPROVED, batch__isnull=True)
        if claim_ids is not None:
            candidates = candidates.filter(pk__in=claim_ids)
        claims = list(candidates.select_for_update(skip_locked=True).order_by("pk"))
        if not claims:
            raise ValidationError("There are no approved claims waiting to be paid.")
        batch = PaymentBatch.objects.create(
            reference=_next_reference(timezone.localdate()), created_by=by
        )
        for claim in claims:
            _transition(
                claim,
                Claim.Status.IN_BATCH,
                by=by,
                note=f"Added to batch {batch.reference}",
                batch=batch,
            )
        batch.total = to_money(sum((c.amount for c in claims), ZERO))
        batch.save(update_fields=["total"])
    return batch


def _locked_batch(batch: PaymentBatch) -> PaymentBatch:
    return PaymentBatch.objects.select_for_update().get(pk=batch.pk)


def batch_approve(*, batch: PaymentBatch, by: User) -> PaymentBatch:
    """Approve a batch for payment: never by the person who built it."""
    _require(by, Role.PIE_TEAM, Role.FINANCE, action="approve payment batches")
    with transaction.atomic():
        batch = _locked_batch(batch)
        if batch.status != PaymentBatch.Status.BUILT:
            return batch
        if batch.created_by_id == by.pk:
            raise ValidationError(
                "You built this batch, so someone else must approve it for payment."
            )
        batch.status, batch.approved_by, batch.approved_at = (
            PaymentBatch.Status.APPROVED,
            by,
            timezone.now(),
        )
        batch.save(update_fields=["status", "approved_by", "approved_at"])
    return batch


def batch_mark_paid(
    *, batch: PaymentBatch, paid_on: date, by: User, claim_ids: list[int] | None = None
) -> int:
    """Mark the batch's claims paid (all, or those given). Repeating it changes nothing.

    Returns how many claims became paid.
    """
    _require(by, Role.PIE_TEAM, Role.FINANCE, action="mark payments as paid")
    if paid_on > timezone.localdate():
        raise ValidationError("The payment date cannot be in the future.")
    with transaction.atomic():
        batch = _locked_batch(batch)
        if batch.status == PaymentBatch.Status.BUILT:
            raise ValidationError("This batch has not been approved for payment yet.")
        claims = batch.claims.select_for_update().filter(status=Claim.Status.IN_BATCH)
        if claim_ids is not None:
            claims = claims.filter(pk__in=claim_ids)
        changed = 0
        for claim in claims:
            _transition(
                claim, Claim.Status.PAID, by=by, note=f"Paid on {paid_on:%d %B %Y}", paid_on=paid_on
            )
            changed += 1
        if not batch.claims.filter(status=Claim.Status.IN_BATCH).exists():
            batch.status, batch.paid_on = PaymentBatch.Status.PAID, paid_on
            batch.save(update_fields=["status", "paid_on"])
    return changed


def claim_unbatch(*, claim: Claim, by: User, reason: str) -> Claim:
    """Take an unpaid claim out of its batch when finance could not pay it (a bounced payment,
    wrong bank details). It goes back to approved, ready for the next batch; nothing is lost.
    """
    _require(by, Role.PIE_TEAM, Role.FINANCE, action="take claims out of a payment batch")
    if not reason.strip():
        raise ValidationError("Say why the claim could not be paid.")
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status != Claim.Status.IN_BATCH:
            raise ValidationError("Only a claim waiting in a payment batch can be taken out of it.")
        batch = _locked_batch(claim.batch)
        _transition(
            claim,
            Claim.Status.APPROVED,
            by=by,
            note=f"Taken out of batch {batch.reference}: {reason}",
            batch=None,
        )
        remaining = list(batch.claims.all())
        batch.total = to_money(sum((c.amount for c in remaining), ZERO))
        if remaining and not any(c.status == Claim.Status.IN_BATCH for c in remaining):
            batch.status, batch.paid_on = (
                PaymentBatch.Status.PAID,
                max(c.paid_on for c in remaining),
            )
        batch.save(update_fields=["total", "status", "paid_on"])
    return claim


def finance_paid_apply(*, rows: list[tuple[int, date]], by: User) -> int:
    """Apply finance's "paid" file: (claim id, paid on) rows. All or nothing; twice is harmless.

    Returns how many claims became paid.
    """
    _require(by, Role.PIE_TEAM, Role.FINANCE, action="import payments")
    changed = 0
    with transaction.atomic():
        claims = {
            c.pk: c
            # Lock the claims only: their batch (a nullable join) is read, not locked.
            for c in Claim.objects.select_for_update(of=("self",))
            .select_related("batch")
            .filter(pk__in=[r[0] for r in rows])
        }
        problems = []
        for claim_id, paid_on in rows:
            claim = claims.get(claim_id)
            if claim is None:
                problems.append(f"claim {claim_id} does not exist")
            elif claim.status not in (Claim.Status.IN_BATCH, Claim.Status.PAID):
                problems.append(
                    f"claim {claim_id} is {claim.get_status_display().lower()}, not in a payment batch"
                )
            elif paid_on > timezone.localdate():
                problems.append(f"claim {claim_id} has a payment date in the future")
            elif claim.batch.status == PaymentBatch.Status.BUILT:
                problems.append(
                    f"claim {claim_id} is in batch {claim.batch.reference}, which has not been approved for payment"
                )
        if problems:
            raise ValidationError("Nothing was imported: " + "; ".join(problems) + ".")
        for claim_id, paid_on in rows:
            claim = claims[claim_id]
            if claim.status == Claim.Status.PAID:
                continue
            _transition(
                claim, Claim.Status.PAID, by=by, note="Paid (finance file)", paid_on=paid_on
            )
            changed += 1
        batch_ids = {c.batch_id for c in claims.values() if c.batch_id}
        for batch in PaymentBatch.objects.select_for_update().filter(pk__in=batch_ids):
            if (
                not batch.claims.filter(status=Claim.Status.IN_BATCH).exists()
                and batch.status != PaymentBatch.Status.PAID
            ):
                batch.status = PaymentBatch.Status.PAID
                batch.paid_on = max(c.paid_on for c in batch.claims.all())
                batch.save(update_fields=["status", "paid_on"])
    return changed


# --- budgets and timeliness ------------------------------------------------------------------


@dataclass
class BudgetStatus:
    name: str
    budget: Decimal | None
    committed: Decimal
    paid: Decimal

    @property
    def percent(self) -> int | None:
        if not self.budget:
            return None
        return int((self.committed / self.budget * 100).to_integral_value())

    @property
    def warning(self) -> str:
        """'over' at 100% or more, 'near' from 80%, '' otherwise (always shown in words too)."""
        if self.percent is None:
            return ""
        return "over" if self.percent >= 100 else "near" if self.percent >= 80 else ""


def project_budgets(*, projects=None) -> list[BudgetStatus]:
    """Each project's PIE budget against committed (approved or later) and paid claims. Two queries."""
    from projects.models import Project

    projects = list(projects if projects is not None else Project.objects.all())
    rows = (
        Claim.objects.filter(project__in=projects, status__in=Claim.COMMITTED)
        .values("project_id")
        .annotate(committed=Sum("amount"), paid=Sum("amount", filter=Q(status=Claim.Status.PAID)))
        .order_by()
    )
    sums = {r["project_id"]: r for r in rows}
    return [
        BudgetStatus(
            p.title,
            p.pie_budget,
            sums.get(p.pk, {}).get("committed") or ZERO,
            sums.get(p.pk, {}).get("paid") or ZERO,
        )
        for p in projects
    ]


CENTRAL_CATEGORY_MEETINGS = {
    CentralBudget.Category.PIEG: "pieg",
    CentralBudget.Category.MANAGEMENT: "management",
    CentralBudget.Category.TRAINING: "training",
}


def central_budgets(*, year_starting: date) -> list[BudgetStatus]:
    """The central budget by category: meeting claims by meeting type; support = claims with no project."""
    end = date(year_starting.year + 1, year_starting.month, year_starting.day) - timedelta(days=1)
    committed = Claim.objects.filter(
        status__in=Claim.COMMITTED, activity_date__range=(year_starting, end)
    )
    result = []
    for budget in CentralBudget.objects.filter(year_starting=year_starting):
        if budget.category in CENTRAL_CATEGORY_MEETINGS:
            claims = committed.filter(meeting__type=CENTRAL_CATEGORY_MEETINGS[budget.category])
        else:
            claims = committed.filter(
                kind=Claim.Kind.EXPENSE, project__isnull=True, meeting__isnull=True
            )
        sums = claims.aggregate(
            c=Sum("amount"), p=Sum("amount", filter=Q(status=Claim.Status.PAID))
        )
        result.append(
            BudgetStatus(
                budget.get_category_display(), budget.amount, sums["c"] or ZERO, sums["p"] or ZERO
            )
        )
    return result


def claims_at_risk(*, today: date | None = None):
    """Unpaid claims past, or within PAYMENT_AT_RISK_DAYS of, the payment target."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.PAYMENT_TARGET_DAYS - settings.PAYMENT_AT_RISK_DAYS)
    return (
        Claim.objects.filter(
            status__in=[Claim.Status.SUBMITTED, Claim.Status.APPROVED, Claim.Status.IN_BATCH],
            activity_date__lte=cutoff,
            reverses__isnull=True,
        )
        .select_related("advisor")
        .order_by("activity_date")
    )


def _percentile(values: list[int], pct: int) -> float:
    """Nearest-rank percentile, as finance reports it (no interpolation surprises)."""
    ordered = sorted(values)
    rank = max(1, -(-pct * len(ordered) // 100))
    return float(ordered[rank - 1])


def days_to_pay_by_month(*, since: date, until: date) -> list[dict]:
    """For paid claims, by month paid: count, median and 90th percentile days from activity to payment."""
    months: dict[date, list[int]] = defaultdict(list)
    for activity_date, paid_on in Claim.objects.filter(
        status=Claim.Status.PAID, paid_on__range=(since, until), reverses__isnull=True
    ).values_list("activity_date", "paid_on"):
        months[paid_on.replace(day=1)].append((paid_on - activity_date).days)
    return [
        {
            "month": month,
            "count": len(days),
            "median": statistics.median(days),
            "p90": _percentile(days, 90),
            "on_target": sum(1 for d in days if d <= settings.PAYMENT_TARGET_DAYS),
        }
        for month, days in sorted(months.items())
    ]


def tax_year_statement(*, advisor: Advisor, year_start: date) -> dict:
    """Payments to an advisor in one tax year: totals by month and by type (paid claims only)."""
    start, end = tax_year(year_start)
    claims = list(
        Claim.objects.filter(
            advisor=advisor, status=Claim.Status.PAID, paid_on__range=(start, end)
        ).order_by("paid_on")
    )
    by_month: dict[date, Decimal] = defaultdict(lambda: ZERO)
    by_type: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for c in claims:
        by_month[c.paid_on.replace(day=1)] += c.amount
        label = (
            c.get_kind_display()
            if c.kind == Claim.Kind.TIME
            else f"Expenses: {c.get_expense_type_display().lower()}"
        )
        by_type[label] += c.amount
    return {
        "start": start,
        "end": end,
        "claims": claims,
        "total": to_money(sum((c.amount for c in claims), ZERO)),
        "by_month": sorted(by_month.items()),
        "by_type": sorted(by_type.items()),
    }
