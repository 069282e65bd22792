"""Payment batches: built from approved claims, approved by a second person, exported, paid.

Lock order, everywhere: the batch first, then its claims. Two paths that lock the same
rows in the same order cannot deadlock each other on PostgreSQL. Building a batch locks its
claims (skipping any another build holds), then the day's batch counter, which only
batch_build takes.

A paid date is never in the future, nor before the batch was approved for payment: the
statement (by tax year) and days to pay are worked out from it.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from advisors.audit import sensitive_view_log
from advisors.models import Advisor, PaymentPreference, SensitiveDataView
from ascru_pie.lib.money import ZERO, to_money
from ascru_pie.models import User
from ascru_pie.roles import Role
from ascru_pie.templatetags.words import day_text, pounds_text

from ..models import MAX_MONEY, BatchCounter, Claim, PaymentBatch
from ..resources import FinanceExportResource, PaidRow
from .claims import _locked, _require, _transition


def _next_reference(today: date) -> str:
    """PIE-20261201-01, -02 …: the day's counter row is incremented under its row lock, held
    to the end of the build, so batches built at the same moment get numbers one after another.
    Must run inside the build's transaction."""
    prefix = f"PIE-{today:%Y%m%d}-"
    counter, _ = BatchCounter.objects.get_or_create(
        day=today,
        # Batches made before the counter existed keep their numbers.
        defaults={"last": PaymentBatch.objects.filter(reference__startswith=prefix).count()},
    )
    BatchCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    n = BatchCounter.objects.values_list("last", flat=True).get(pk=counter.pk)
    return f"{prefix}{n:02d}"


def _batch_total(claims: list[Claim]) -> Decimal:
    total = to_money(sum((c.amount for c in claims), ZERO))
    if abs(total) > MAX_MONEY:
        raise ValidationError(
            f"These claims come to more than {pounds_text(MAX_MONEY)}, which is more than one "
            "batch can hold. Build the batch from fewer claims."
        )
    return total


def paid_on_problem(paid_on: date, batch: PaymentBatch) -> str:
    """Why `paid_on` cannot be the date the batch's claims were paid, or ''."""
    if paid_on > timezone.localdate():
        return "The payment date cannot be in the future."
    if batch.approved_at is not None:
        approved_on = timezone.localdate(batch.approved_at)
        if paid_on < approved_on:
            return (
                f"The payment date cannot be before batch {batch.reference} was approved for "
                f"payment, on {day_text(approved_on)}."
            )
    return ""


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
        total = _batch_total(claims)
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
        batch.total = total
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
        if problem := paid_on_problem(paid_on, batch):
            raise ValidationError(problem)
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
    not_in_batch = "Only a claim waiting in a payment batch can be taken out of it."
    batch_id = Claim.objects.filter(pk=claim.pk).values_list("batch_id", flat=True).first()
    if batch_id is None:
        raise ValidationError(not_in_batch)
    with transaction.atomic():
        # Batch first, then the claim (the lock order of every batch service).
        batch = PaymentBatch.objects.select_for_update().get(pk=batch_id)
        claim = _locked(claim)
        if claim.status != Claim.Status.IN_BATCH or claim.batch_id != batch.pk:
            raise ValidationError(not_in_batch)
        _transition(
            claim,
            Claim.Status.APPROVED,
            by=by,
            note=f"Taken out of batch {batch.reference}: {reason}",
            batch=None,
        )
        remaining = list(batch.claims.all())
        batch.total = _batch_total(remaining)
        if remaining and not any(c.status == Claim.Status.IN_BATCH for c in remaining):
            batch.status, batch.paid_on = (
                PaymentBatch.Status.PAID,
                max(c.paid_on for c in remaining),
            )
        batch.save(update_fields=["total", "status", "paid_on"])
    return claim


# --- finance's "paid" file ------------------------------------------------------------------


def _paid_row_problem(claim: Claim | None, claim_id: int, paid_on: date) -> str:
    """Why a row of the paid file cannot be applied, or ''. Preview and apply share it."""
    if claim is None:
        return f"there is no claim {claim_id}"
    if claim.status not in (Claim.Status.IN_BATCH, Claim.Status.PAID):
        return (
            f"claim {claim_id} is {claim.get_status_display().lower()}, not in a payment batch, "
            "so it cannot be marked paid"
        )
    if paid_on > timezone.localdate():
        return f"claim {claim_id} has a payment date in the future"
    if claim.status == Claim.Status.IN_BATCH and claim.batch.status == PaymentBatch.Status.BUILT:
        return (
            f"claim {claim_id} is in batch {claim.batch.reference}, which has not been approved "
            "for payment"
        )
    if claim.status == Claim.Status.IN_BATCH and claim.batch.approved_at is not None:
        approved_on = timezone.localdate(claim.batch.approved_at)
        if paid_on < approved_on:
            return (
                f"claim {claim_id} is dated paid on {day_text(paid_on)}, before its batch "
                f"{claim.batch.reference} was approved for payment on {day_text(approved_on)}"
            )
    return ""


# The largest id a claim can have (a 64-bit key). A bigger number in a file names no claim,
# and is never sent to the database, which cannot compare it (SQLite raises OverflowError).
MAX_CLAIM_ID = 2**63 - 1


def _claim_ids(ids) -> list[int]:
    return [i for i in ids if i is not None and 0 < i <= MAX_CLAIM_ID]


def paid_file_preview(*, rows: list[PaidRow]) -> list[PaidRow]:
    """Say what applying the file will do to each row's claim (one query); nothing changes."""
    claims = Claim.objects.select_related("advisor", "batch").in_bulk(
        _claim_ids(r.claim_id for r in rows)
    )
    for row in rows:
        row.claim = claims.get(row.claim_id)
        if row.error:
            continue
        if problem := _paid_row_problem(row.claim, row.claim_id, row.paid_on):
            row.error = problem + "."
        elif row.claim.status == Claim.Status.PAID:
            row.outcome = f"Already paid on {row.claim.paid_on:%d %B %Y}: no change"
        else:
            row.outcome = "Will be marked paid"
    return rows


def finance_paid_apply(*, rows: list[tuple[int, date]], by: User) -> int:
    """Apply finance's "paid" file: (claim id, paid on) rows. All or nothing; twice is harmless.

    Returns how many claims became paid.
    """
    _require(by, Role.PIE_TEAM, Role.FINANCE, action="import payments")
    claim_ids = _claim_ids(claim_id for claim_id, _ in rows)
    changed = 0
    with transaction.atomic():
        # Batches first, then their claims (the lock order of every batch service). A claim
        # moved between batches meanwhile is caught by the re-check below.
        batch_ids = set(
            Claim.objects.filter(pk__in=claim_ids, batch__isnull=False).values_list(
                "batch_id", flat=True
            )
        )
        batches = PaymentBatch.objects.select_for_update().filter(pk__in=batch_ids).in_bulk()
        claims = Claim.objects.select_for_update().order_by("pk").in_bulk(claim_ids)
        for claim in claims.values():
            if claim.batch_id in batches:
                claim.batch = batches[claim.batch_id]  # the locked row, read once
        problems = []
        for claim_id, paid_on in rows:
            claim = claims.get(claim_id)
            if claim is not None and claim.batch_id and claim.batch_id not in batches:
                problems.append(f"claim {claim_id} changed batch while the file was read")
            elif problem := _paid_row_problem(claim, claim_id, paid_on):
                problems.append(problem)
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
        for batch in batches.values():
            if (
                not batch.claims.filter(status=Claim.Status.IN_BATCH).exists()
                and batch.status != PaymentBatch.Status.PAID
            ):
                batch.status = PaymentBatch.Status.PAID
                batch.paid_on = max(c.paid_on for c in batch.claims.all())
                batch.save(update_fields=["status", "paid_on"])
    return changed


# --- the finance export ---------------------------------------------------------------------


def batch_export(*, batch: PaymentBatch, by: User, file_type: str) -> bytes:
    """The batch for the finance system (CSV or XLSX), in the configured columns.

    Only an approved, unpaid batch is exported, with only its unpaid claims, so a file can
    never pay anyone twice. Full bank details only for people who may see them, and each
    advisor whose details are in the file is logged as seen (advisors.SensitiveDataView).
    """
    _require(by, Role.PIE_TEAM, Role.FINANCE, action="export payment batches")
    resource = FinanceExportResource()
    if resource.reveals_bank_details and not by.has_perm("advisors.view_bank_details"):
        raise PermissionDenied(
            "The finance export is set up to include full bank details, which only finance may see."
        )
    if batch.status == PaymentBatch.Status.BUILT:
        raise ValidationError(
            f"Batch {batch.reference} can be exported once it has been approved for payment."
        )
    if batch.status == PaymentBatch.Status.PAID:
        raise ValidationError(f"Batch {batch.reference} is paid: there is nothing left to export.")
    claims = resource.claims_of(batch)
    dataset = resource.export(claims)
    if resource.reveals_bank_details:
        # Every advisor whose full account details are in the file: one view-log row each.
        sensitive_view_log(
            viewer=by,
            what=SensitiveDataView.What.BANK_DETAILS,
            where=f"finance export of batch {batch.reference} ({file_type})",
            advisors=Advisor.objects.filter(claims__in=claims, bank_details__isnull=False)
            .exclude(payment_preference=PaymentPreference.VOUCHER)
            .distinct()
            .order_by("pk"),
        )
    # Only the time of the (latest) export changes: one column of one row, nothing else.
    PaymentBatch.objects.filter(pk=batch.pk).update(exported_at=timezone.now())
    return dataset.export(file_type)
