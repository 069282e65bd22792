"""Retention: personal data is kept only as long as the settings say, then erased.

Run daily by Celery beat (privacy.tasks.retention_run) and by `manage.py retention_run
[--dry-run]`. Three rules, a setting each:

- RETENTION_DECLINED_APPLICATION_MONTHS (6): an application declined or withdrawn that long
  ago is erased (privacy.erasure.application_erase).
- RETENTION_INACTIVE_ADVISOR_YEARS (2): an advisor who left (or paused) that long ago (by
  their left or status-changed date; none, no erasure), with no claimed activity since, is
  erased (privacy.erasure.advisor_erase): their contact details
  and everything else personal go; claims stay under the pseudonym. One with claims still
  to be paid is skipped and counted, and taken the next day once they are paid.
- RETENTION_FINANCIAL_YEARS (6): financial records are kept for that many whole tax years
  after the one they belong to (HMRC's six years). Then receipt files are deleted and the
  last four digits in the record of bank detail changes are emptied. Claim rows themselves
  stay (amount, date, kind, project, and the advisor's name or pseudonym): they are the
  unit's accounts, and an erased advisor's claims hold nothing personal.

Also, not a setting: a receipt kept in private storage while an advisor decided after a
claim warning, and never sent, is deleted a day later (payments' pending_receipts_sweep).

Each run writes a RetentionRun (counts and a sentence) that the PIE team sees on the erasure
page, and logs the same. Safe to run twice, or two at once: erased people are found by their
ErasureRecord and skipped, and the other changes only touch rows not yet changed.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from advisors.models import Advisor, Application, ApplicationEvent
from ascru_pie.lib.dates import tax_year
from payments.models import BankDetailsChange, Claim
from payments.services import pending_receipts_sweep

from .erasure import IN_FLIGHT, NOT_GOING_AHEAD, ErasureBlocked, advisor_erase, application_erase
from .records import ErasureRecord, RetentionRun

logger = logging.getLogger(__name__)

RETENTION_DEFAULTS = {
    "RETENTION_DECLINED_APPLICATION_MONTHS": 6,
    "RETENTION_INACTIVE_ADVISOR_YEARS": 2,
    "RETENTION_FINANCIAL_YEARS": 6,
}
# Advisors no longer taking part.
INACTIVE = [Advisor.Status.LEFT, Advisor.Status.PAUSED]
# How long a receipt kept after a claim warning waits for the form to be sent again.
PENDING_RECEIPTS_KEPT = datetime.timedelta(days=1)


def retention_setting(name: str) -> int:
    """A retention period from settings (defaults above until settings name them)."""
    return int(getattr(settings, name, RETENTION_DEFAULTS[name]))


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier (the month's last day if it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def years_before(day: datetime.date, years: int) -> datetime.date:
    return months_before(day, 12 * years)


# --- what is due ---------------------------------------------------------------------------


def applications_due(*, today: datetime.date):
    """Declined or withdrawn applications decided before the cut-off, not yet erased."""
    cutoff = months_before(today, retention_setting("RETENTION_DECLINED_APPLICATION_MONTHS"))
    decided = (
        ApplicationEvent.objects.filter(application=OuterRef("pk"), to_status__in=NOT_GOING_AHEAD)
        .order_by("-at")
        .values("at")[:1]
    )
    erased = ErasureRecord.objects.filter(application__isnull=False).values("application")
    return (
        Application.objects.filter(status__in=NOT_GOING_AHEAD, advisor=None)
        .exclude(pk__in=erased)
        .annotate(decided_at=Coalesce(Subquery(decided), F("updated_at")))
        .filter(decided_at__date__lt=cutoff)
        .order_by("pk")
    )


def advisors_due(*, today: datetime.date):
    """Advisors who left or paused before the cut-off, with no claimed activity since."""
    cutoff = years_before(today, retention_setting("RETENTION_INACTIVE_ADVISOR_YEARS"))
    erased = ErasureRecord.objects.filter(advisor__isnull=False).values("advisor")
    recent = Claim.objects.filter(activity_date__gte=cutoff).values("advisor")
    return (
        Advisor.objects.filter(status__in=INACTIVE)
        # No date, no erasure: without one we cannot know how long they have been away.
        .annotate(inactive_since=Coalesce("left_on", "status_changed_on"))
        .filter(inactive_since__lt=cutoff)
        .exclude(pk__in=erased)
        .exclude(pk__in=recent)
        .order_by("pk")
    )


def financial_cutoff(*, today: datetime.date) -> datetime.date:
    """Records of tax years that ended RETENTION_FINANCIAL_YEARS whole tax years ago are due:
    with 6, on 1 May 2033 (tax year 2033/34) the tax years up to 2026/27 are kept, so
    anything dated before 6 April 2027 is due."""
    start, _end = tax_year(today)
    return start.replace(year=start.year - retention_setting("RETENTION_FINANCIAL_YEARS"))


def receipts_due(*, today: datetime.date):
    cutoff = financial_cutoff(today=today)
    return (
        Claim.objects.exclude(receipt="")
        .annotate(dated=Coalesce("paid_on", "activity_date"))
        .filter(dated__lt=cutoff)
    )


def bank_changes_due(*, today: datetime.date):
    cutoff = financial_cutoff(today=today)
    return BankDetailsChange.objects.filter(at__date__lt=cutoff).filter(
        ~Q(old_last4="") | ~Q(new_last4="")
    )


# --- the run -------------------------------------------------------------------------------


def retention_run(*, dry_run: bool = False, now: datetime.datetime | None = None) -> dict:
    """Apply every retention rule once; return the counts (and record them unless dry_run)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    applications = list(applications_due(today=today))
    advisors = list(advisors_due(today=today))
    in_flight = Claim.objects.filter(advisor__in=advisors, status__in=IN_FLIGHT)
    waiting = set(in_flight.values_list("advisor", flat=True))
    counts = {
        "applications_erased": len(applications),
        "advisors_erased": len([a for a in advisors if a.pk not in waiting]),
        "advisors_waiting_for_payment": len(waiting),
        "receipts_deleted": receipts_due(today=today).count(),
        "bank_change_digits_emptied": bank_changes_due(today=today).count(),
        "pending_receipts_deleted": pending_receipts_sweep(
            older_than=now - PENDING_RECEIPTS_KEPT, dry_run=True
        ),
    }
    if dry_run:
        return counts
    run = RetentionRun.objects.create(started_at=now)
    try:
        _apply(counts, applications=applications, advisors=advisors, waiting=waiting, today=today)
        counts["pending_receipts_deleted"] = pending_receipts_sweep(
            older_than=now - PENDING_RECEIPTS_KEPT
        )
    except Exception as exc:
        # Whatever was erased stays erased (each person is one transaction); say where it
        # stopped, and the next run carries on.
        RetentionRun.objects.filter(pk=run.pk).update(
            summary=f"Stopped with an error ({exc.__class__.__name__}); the next run carries on."
        )
        raise
    run.counts = counts
    run.summary = retention_words(counts)
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "summary", "finished_at"])
    logger.info("Retention run: %s", run.summary)
    return counts


def _apply(counts: dict, *, applications, advisors, waiting: set, today: datetime.date) -> None:
    for application in applications:
        application_erase(application, reason=ErasureRecord.Reason.RETENTION)
    for advisor in advisors:
        if advisor.pk in waiting:
            continue
        try:
            advisor_erase(advisor, by=None, reason=ErasureRecord.Reason.RETENTION)
        except ErasureBlocked:  # a claim arrived since we looked: tomorrow
            counts["advisors_erased"] -= 1
            counts["advisors_waiting_for_payment"] += 1
    counts["receipts_deleted"] = _receipts_delete(today=today)
    counts["bank_change_digits_emptied"] = bank_changes_due(today=today).update(
        old_last4="", new_last4=""
    )


def _receipts_delete(*, today: datetime.date) -> int:
    """Empty the receipt of each claim past the financial period; delete the file after commit."""
    deleted = 0
    for claim in receipts_due(today=today).only("pk", "receipt"):
        with transaction.atomic():
            # Conditional: a second run at the same moment finds it already empty.
            if Claim.objects.filter(pk=claim.pk, receipt=claim.receipt.name).update(receipt=""):
                storage, name = claim.receipt.storage, claim.receipt.name
                transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
                deleted += 1
    return deleted


# What each count means, in the singular and the plural.
RETENTION_WORDS = {
    "applications_erased": (
        "application that did not go ahead was erased",
        "applications that did not go ahead were erased",
    ),
    "advisors_erased": (
        "advisor inactive for the retention period was erased",
        "advisors inactive for the retention period were erased",
    ),
    "receipts_deleted": (
        "receipt past the financial retention period was deleted",
        "receipts past the financial retention period were deleted",
    ),
    "bank_change_digits_emptied": (
        "old record of a bank details change was emptied",
        "old records of bank details changes were emptied",
    ),
    "pending_receipts_deleted": (
        "receipt kept for a claim that was never sent was deleted",
        "receipts kept for claims that were never sent were deleted",
    ),
    "advisors_waiting_for_payment": (
        "advisor due to be erased has claims still to be paid (erased once they are paid)",
        "advisors due to be erased have claims still to be paid (erased once they are paid)",
    ),
}


def retention_words(counts: dict) -> str:
    """What a run did, in a sentence for the PIE team."""
    parts = [
        f"{counts[key]} {one if counts[key] == 1 else many}"
        for key, (one, many) in RETENTION_WORDS.items()
        if counts.get(key)
    ]
    return "; ".join(parts).capitalize() + "." if parts else "Nothing was due."
