"""Claims: time claims from attendance, the state machine, advisors' own claims.

Every change to a claim's money or status is audited (ClaimEvent) and made under a row
lock after re-checking the current state, so double clicks, two people at once and
retried tasks can never pay a claim twice.
"""

import calendar
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from advisors.models import Advisor, PaymentPreference
from ascru_pie.lib.money import ZERO, to_money
from ascru_pie.models import User
from ascru_pie.roles import Role
from ascru_pie.templatetags.words import plural_text, pounds_text
from rates.models import RateCard
from rates.pricing import time_amount

from ..models import MAX_EXPENSE, MAX_HOURS_A_DAY, Claim, ClaimEvent
from .limits import annual_limit_warning


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


def _require(user: User | None, *roles: str, action: str) -> None:
    if user is None or not user.has_role(*roles):
        raise PermissionDenied(f"Only the PIE team or finance can {action}.")


def _transition(
    claim: Claim, to_status: str, *, by: User | None, note: str = "", **changes
) -> Claim:
    """Move a locked claim to `to_status` if the table allows it; audit the change."""
    if not claim.can_become(to_status):
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
        if refused := claim.approval_refused_for(by):
            raise ValidationError(refused)
        return _transition(
            claim, Claim.Status.APPROVED, by=by, approved_by=by, approved_at=timezone.now()
        )


@dataclass
class BulkApproval:
    """What approving several claims at once did: how many were approved, and the claims
    left for someone else because this person may not approve them (with the reason)."""

    approved: int
    skipped: list[tuple[Claim, str]]


def claims_approve(*, claims: list[Claim], by: User) -> BulkApproval:
    """Approve the chosen claims together: all or none (one someone has just rejected rolls
    back the others), except claims `by` may not approve (their own, or ones they entered for
    the advisor), which are skipped and returned. Locked in id order, so two people approving
    overlapping sets wait for each other instead of deadlocking."""
    _require(by, Role.PIE_TEAM, Role.FINANCE, action="approve claims")
    skipped = []
    approved = 0
    with transaction.atomic():
        for claim in sorted(claims, key=lambda c: c.pk):
            claim = _locked(claim)
            if claim.status not in Claim.COMMITTED and (refused := claim.approval_refused_for(by)):
                skipped.append((claim, refused))
                continue
            claim_approve(claim=claim, by=by)
            approved += 1
    return BulkApproval(approved=approved, skipped=skipped)


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
            computation=f"Reverses claim #{claim.pk} ({pounds_text(claim.amount)})",
            created_by=by,
        )
        _audit(reversal, by=by, from_status="", old_amount=None, note=reason)
    return reversal


# --- advisors' own claims ------------------------------------------------------------------


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


class LimitNotConfirmed(Exception):
    """The claim would take the advisor over their own annual limit and nobody has said
    "Submit anyway" yet: nothing was saved. `warning` says why, worded for the reader."""

    def __init__(self, warning: str) -> None:
        super().__init__(warning)
        self.warning = warning


def _months_before(day: date, months: int) -> date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _check_date(*, activity_date: date, by: User, late_reason: str, future: str) -> str:
    """Refuse a date in the future, or one more than CLAIM_MAX_AGE_MONTHS ago unless the PIE
    team gives a reason. Returns the audit note for an old date the PIE team accepted, or ''."""
    today = timezone.localdate()
    if activity_date > today:
        raise ValidationError(future)
    months = settings.CLAIM_MAX_AGE_MONTHS
    if activity_date >= _months_before(today, months):
        return ""
    age = plural_text(months, "month")
    if not by.has_role(Role.PIE_TEAM):
        if by.has_role(Role.ADVISOR):
            raise ValidationError(
                f"That date is more than {age} ago, so it cannot be claimed here. Please contact "
                "the Involvement Coordinator, who can look at it with you."
            )
        raise ValidationError(
            f"That date is more than {age} ago. Only the PIE team can accept a claim that old."
        )
    if not late_reason.strip():
        raise ValidationError(
            f"That date is more than {age} ago. To accept the claim anyway, say why in "
            "“Reason for an old date”."
        )
    return f"Date more than {age} ago, accepted by the PIE team: {late_reason.strip()}"


def _replayed(submission_key: uuid.UUID | None, advisor: Advisor) -> Claim | None:
    """The claim already made from this form, if it was sent before."""
    if submission_key is None:
        return None
    claim = Claim.objects.filter(submission_key=submission_key).first()
    if claim is not None and claim.advisor_id != advisor.pk:
        raise ValidationError(
            "This form has already been used for another claim. Go back and start a new one."
        )
    return claim


def _insert_once(claim: Claim) -> Claim | None:
    """Insert a new claim, or return the claim that the same form made a moment earlier.

    Two sendings of one form can both pass the first look for its key; the unique constraint
    on the key lets one insert through and the other gets an IntegrityError. On PostgreSQL the
    loser waits for the winner's commit, so the winner's claim is there to be read.
    """
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        if claim.submission_key is None:
            raise
        first = _replayed(claim.submission_key, claim.advisor)
        if first is None:
            raise
        if claim.receipt:
            claim.receipt.delete(save=False)  # this sending's copy; the first claim keeps its own
        return first
    return None


def _create_once(claim: Claim, *, by: User, note: str) -> Claim:
    """Save a new claim made from a form, audited; the same form sent again gets the first one.

    The key's uniqueness is left to the database, which is the only place it holds.
    """
    with transaction.atomic():
        if (first := _replayed(claim.submission_key, claim.advisor)) is not None:
            return first
        claim.full_clean(exclude=["submission_key"])
        if (first := _insert_once(claim)) is not None:
            return first
        _audit(claim, by=by, from_status="", old_amount=None, note=note)
    return claim


def expense_date(*, activity_date: date | None, meeting) -> date | None:
    """The date of an expense: the meeting's (local) date when it was for a meeting."""
    return timezone.localdate(meeting.starts_at) if meeting is not None else activity_date


def _note(*parts: str) -> str:
    return ". ".join(p for p in parts if p)


def claim_expense_submit(
    *,
    advisor: Advisor,
    by: User,
    expense_type: str,
    amount: Decimal,
    description: str,
    activity_date: date | None = None,
    receipt=None,
    project=None,
    meeting=None,
    submission_key: uuid.UUID | None = None,
    confirm_over_limit: bool = True,
    late_reason: str = "",
) -> tuple[Claim, str]:
    """An expense claim (by the advisor, or staff on their behalf). Returns (claim, limit warning).

    The same form sent again (`submission_key`) returns the claim it made and writes nothing.
    An expense for a meeting takes the meeting's date. Over the advisor's annual limit without
    `confirm_over_limit`, raises LimitNotConfirmed and saves nothing. Writes the audit entry.
    """
    if (first := _replayed(submission_key, advisor)) is not None:
        return first, ""
    amount = to_money(amount)
    if amount <= 0:
        raise ValidationError("Enter an amount of more than £0.00.")
    if amount > MAX_EXPENSE:
        raise ValidationError(
            f"An expense claim can be up to {pounds_text(MAX_EXPENSE)}. For more than that, "
            "please talk to the Involvement Coordinator."
        )
    activity_date = expense_date(activity_date=activity_date, meeting=meeting)
    if meeting is not None and activity_date > timezone.localdate():
        raise ValidationError("Expenses for a meeting can be claimed once it has taken place.")
    if activity_date is None:
        raise ValidationError("Enter the date of the expense.")
    late_note = _check_date(
        activity_date=activity_date,
        by=by,
        late_reason=late_reason,
        future="The date of the expense cannot be in the future.",
    )
    if receipt is not None:
        receipt_check(receipt)
    warning = annual_limit_warning(
        advisor=advisor, on=activity_date, amount=amount, kind=Claim.Kind.EXPENSE, reader=by
    )
    if warning and not confirm_over_limit:
        raise LimitNotConfirmed(warning)
    claim = Claim(
        advisor=advisor,
        kind=Claim.Kind.EXPENSE,
        expense_type=expense_type,
        activity_date=activity_date,
        amount=amount,
        description=description,
        project=project or (meeting.project if meeting else None),
        meeting=meeting,
        created_by=by,
        computation="Expense as claimed",
        submission_key=submission_key,
    )
    if receipt is not None:
        claim.receipt = receipt
    entered = "Entered by staff" if by != advisor.user else "Submitted in the portal"
    saved = _create_once(claim, by=by, note=_note(entered, late_note))
    return saved, warning if saved is claim else ""


def claim_time_log(
    *,
    advisor: Advisor,
    by: User,
    activity: str,
    activity_date: date,
    hours: Decimal,
    description: str,
    project=None,
    submission_key: uuid.UUID | None = None,
    confirm_over_limit: bool = True,
    late_reason: str = "",
) -> tuple[Claim, str]:
    """Time spent on other activity (e.g. document review), at the rate in force that day.

    Returns (claim, limit warning). The same form sent again returns the claim it made; over
    the limit without `confirm_over_limit`, raises LimitNotConfirmed and saves nothing.
    """
    if (first := _replayed(submission_key, advisor)) is not None:
        return first, ""
    if activity == RateCard.Activity.MEETING:
        raise ValidationError(
            "Meeting time is paid from the attendance record, so it cannot be logged here."
        )
    if hours <= 0 or hours > MAX_HOURS_A_DAY:
        raise ValidationError("Enter the hours spent: more than 0 and no more than 24.")
    late_note = _check_date(
        activity_date=activity_date,
        by=by,
        late_reason=late_reason,
        future="The date cannot be in the future.",
    )
    if advisor.payment_preference == PaymentPreference.DECLINE:
        raise ValidationError(
            f"{advisor.full_name} has chosen not to be paid, so no claim is made."
        )
    computed = time_amount(on=activity_date, hours=hours, preparation_hours=ZERO, activity=activity)
    warning = annual_limit_warning(
        advisor=advisor, on=activity_date, amount=computed.amount, kind=Claim.Kind.TIME, reader=by
    )
    if warning and not confirm_over_limit:
        raise LimitNotConfirmed(warning)
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
        submission_key=submission_key,
    )
    saved = _create_once(claim, by=by, note=_note("Time logged", late_note))
    return saved, warning if saved is claim else ""
