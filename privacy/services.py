"""Services of the privacy app.

Subject access requests: asked for by the PIE team, built by a worker (privacy.sar makes the
ZIP), downloaded by the PIE team (each download recorded). The lifecycle is the one of
reports.services (queued → being made → ready or failed; a lease and a sweeper for workers
that die or tasks the broker lost), so the same settings apply: TASK_LOST_AFTER_SECONDS,
REPORT_MAX_ATTEMPTS, and SUBJECT_ACCESS_LEASE_SECONDS (default REPORT_LEASE_SECONDS).
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from advisors.audit import sensitive_view_log
from advisors.models import Advisor, EqualityMonitoring, SensitiveDataView
from ascru_pie.celery import enqueue_on_commit
from ascru_pie.models import User
from ascru_pie.roles import Role
from payments.models import BankDetails
from reports.words import worker_lost_words

from .models import SubjectAccessDownload, SubjectAccessRequest
from .sar import subject_access_zip
from .tasks import subject_access_build as subject_access_build_task

Status = SubjectAccessRequest.Status

# --- Subject access ---------------------------------------------------------------------------


def subject_access_request(*, advisor: Advisor, by: User) -> SubjectAccessRequest:
    """Queue a subject access ZIP for the advisor (PIE team only); the worker is asked after
    commit. Asking again while one is queued or being made gives that one back."""
    if not by.has_role(Role.PIE_TEAM):
        raise PermissionDenied("Only the PIE team can answer a subject access request.")
    with transaction.atomic():
        # Lock the advisor so two clicks at once make one request, not two.
        Advisor.objects.select_for_update().filter(pk=advisor.pk).first()
        pending = SubjectAccessRequest.objects.filter(
            advisor=advisor, status__in=[Status.QUEUED, Status.BUILDING]
        ).first()
        if pending:
            return pending
        request = SubjectAccessRequest.objects.create(
            advisor=advisor, requested_by=by, task_due_at=timezone.now()
        )
        _send_to_worker([request.pk])
    return request


def subject_access_retry(*, request: SubjectAccessRequest) -> SubjectAccessRequest:
    """Queue a failed request again (the same row, so the list keeps one line)."""
    updated = SubjectAccessRequest.objects.filter(pk=request.pk, status=Status.FAILED).update(
        status=Status.QUEUED,
        error="",
        progress=0,
        step="",
        started_at=None,
        finished_at=None,
        attempts=0,
        task_due_at=timezone.now(),
    )
    if updated:
        _send_to_worker([request.pk])
    request.refresh_from_db()
    return request


def subject_access_download(*, request: SubjectAccessRequest, by: User) -> SubjectAccessDownload:
    """Record that `by` downloaded the ZIP; its bank details and equality answers are a view
    of them, logged like every other (advisors.audit: superusers see the log)."""
    advisor = request.advisor
    where = f"subject access ZIP #{request.pk}"
    if BankDetails.objects.filter(advisor=advisor).exists():
        sensitive_view_log(
            viewer=by, what=SensitiveDataView.What.BANK_DETAILS, where=where, advisors=[advisor]
        )
    if EqualityMonitoring.objects.filter(advisor=advisor).exists():
        sensitive_view_log(
            viewer=by, what=SensitiveDataView.What.EQUALITY, where=where, advisors=[advisor]
        )
    return SubjectAccessDownload.objects.create(request=request, by=by)


def _send_to_worker(request_ids: list[int]) -> None:
    enqueue_on_commit(
        subject_access_build_task,
        request_ids,
        unsent=lambda ids: SubjectAccessRequest.objects.filter(pk__in=ids).update(task_due_at=None),
    )


def subject_access_build(*, request_id: int) -> str:
    """The worker's job: claim the request, make the ZIP, save it; record a failure's reason.

    Safe to run twice: only a queued request is claimed, so a second task for a ready one does
    nothing. The claim starts a lease (the attempt number is its token): a worker whose lease
    the sweeper gave to another throws its result away. Progress is written as it goes.
    """
    claimed = SubjectAccessRequest.objects.filter(pk=request_id, status=Status.QUEUED).update(
        status=Status.BUILDING,
        started_at=timezone.now(),
        progress=0,
        step="Starting",
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "skipped"
    request = SubjectAccessRequest.objects.select_related("advisor").get(pk=request_id)
    mine = SubjectAccessRequest.objects.filter(
        pk=request_id, status=Status.BUILDING, attempts=request.attempts
    )

    def progress(percent: int, step: str) -> None:
        mine.update(progress=min(percent, 99), step=step[:200])

    try:
        data = subject_access_zip(advisor=request.advisor, progress=progress)
    except Exception as exc:  # the reason is shown to the PIE team, who can try again
        mine.update(
            status=Status.FAILED,
            error=f"{exc.__class__.__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return "failed"
    old = request.file.name
    request.file.save(request.filename, ContentFile(data), save=False)
    # A conditional UPDATE, not save(): a worker whose lease ran out must not overwrite the
    # row another worker now owns.
    if not mine.update(
        file=request.file.name,
        status=Status.READY,
        progress=100,
        step="Ready",
        finished_at=timezone.now(),
    ):
        request.file.delete(save=False)
        return "superseded"
    if old and old != request.file.name:
        request.file.storage.delete(old)
    return "done"


# The most requests one sweep sends; the next sweep sends the rest.
SWEEP_BATCH = 100


def keep_days() -> int:
    """How long a ZIP is kept after it is made: long enough to send, no longer."""
    return getattr(settings, "SUBJECT_ACCESS_KEEP_DAYS", 30)


def subject_access_expire(*, now: datetime.datetime) -> int:
    """Delete the ZIPs made more than SUBJECT_ACCESS_KEEP_DAYS ago (they hold bank details
    and equality answers); the request stays, saying when its file was deleted."""
    cutoff = now - datetime.timedelta(days=keep_days())
    old = SubjectAccessRequest.objects.filter(status=Status.READY, finished_at__lt=cutoff)
    deleted = 0
    for sar in old.exclude(file="")[:SWEEP_BATCH]:
        name = sar.file.name
        # Conditional: a copy rebuilt meanwhile has another file and a new finished_at.
        if SubjectAccessRequest.objects.filter(pk=sar.pk, file=name).update(
            file="", step=f"Deleted after {keep_days()} days"
        ):
            sar.file.storage.delete(name)
            deleted += 1
    return deleted


def subject_access_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Beat, every minute: give every unfinished request a live task, and delete ZIPs
    older than SUBJECT_ACCESS_KEEP_DAYS.

    Being made past its lease: queued again, or after REPORT_MAX_ATTEMPTS starts failed
    with the reason. Queued with no live task (the broker was down, or lost it): sent again.
    Safe to overlap: each change is a conditional UPDATE and the build claims only a queued
    request, so a spare task does nothing.
    """
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0, "sent": 0}
    counts["deleted"] = subject_access_expire(now=now)
    expired = SubjectAccessRequest.objects.lease_expired(now=now)
    for pk, attempts in expired.values_list("pk", "attempts")[:SWEEP_BATCH]:
        same_lease = SubjectAccessRequest.objects.filter(
            pk=pk, status=Status.BUILDING, attempts=attempts
        )
        if attempts >= settings.REPORT_MAX_ATTEMPTS:
            counts["failed"] += same_lease.update(
                status=Status.FAILED, error=worker_lost_words(attempts), finished_at=now
            )
        else:
            counts["requeued"] += same_lease.update(
                status=Status.QUEUED, started_at=None, task_due_at=None, progress=0, step=""
            )
    with transaction.atomic():
        due = list(
            SubjectAccessRequest.objects.without_task(now=now)
            .select_for_update(skip_locked=True)
            .order_by("created_at", "pk")  # oldest first; pk breaks ties
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        SubjectAccessRequest.objects.filter(pk__in=due).update(task_due_at=now)
        _send_to_worker(due)
    counts["sent"] = len(due)
    return counts
