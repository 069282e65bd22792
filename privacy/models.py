"""Subject access requests: a ZIP of everything held about one advisor, built by a worker."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from ascru_pie.lib.storage import private_storage

# Erasure and retention keep their own records (helper D1's part): privacy/records.py.
from .records import ErasureRecord, RetentionRun  # noqa: F401


def lease_seconds() -> int:
    """How long a worker may take to build one ZIP before the sweeper thinks it died."""
    return getattr(settings, "SUBJECT_ACCESS_LEASE_SECONDS", settings.REPORT_LEASE_SECONDS)


class SubjectAccessRequestQuerySet(models.QuerySet):
    def without_task(self, *, now: datetime.datetime) -> "SubjectAccessRequestQuerySet":
        """Queued with no live task: the broker never took one, or the one it took is
        TASK_LOST_AFTER_SECONDS old and has not started (lost when Redis restarted empty)."""
        lost = now - datetime.timedelta(seconds=settings.TASK_LOST_AFTER_SECONDS)
        return self.filter(
            Q(task_due_at=None) | Q(task_due_at__lt=lost),
            status=SubjectAccessRequest.Status.QUEUED,
        )

    def lease_expired(self, *, now: datetime.datetime) -> "SubjectAccessRequestQuerySet":
        """Being built for longer than any worker may take: the worker building it died."""
        lease = datetime.timedelta(seconds=lease_seconds())
        return self.filter(status=SubjectAccessRequest.Status.BUILDING, started_at__lt=now - lease)


class SubjectAccessRequest(models.Model):
    """The PIE team asked for a copy of everything held about one advisor (UK GDPR article 15).

    The ZIP (a PDF to read and a JSON of every value, with their files) holds the advisor's
    full bank details and equality answers, so only the PIE team may download it, and every
    download is recorded (SubjectAccessDownload)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    advisor = models.ForeignKey(
        "advisors.Advisor", on_delete=models.CASCADE, related_name="subject_access_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    # Where the worker is up to: a percentage and, in words, the table it is reading.
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="subject-access/%Y/", storage=private_storage, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the task was handed to the broker; empty when the broker did not take it (Redis
    # down), so the sweeper knows to send it (services_sar.subject_access_sweep).
    task_due_at = models.DateTimeField(null=True, blank=True)
    # How many times a worker has started it; the attempt number is the lease's token.
    attempts = models.PositiveSmallIntegerField(default=0)

    objects = SubjectAccessRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "subject access request"
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="privacy_sar_progress_at_most_100",
                violation_error_message="Progress is a percentage, at most 100.",
            ),
        ]

    def __str__(self) -> str:
        return f"Subject access for {self.advisor} ({self.get_status_display().lower()})"

    @property
    def filename(self) -> str:
        day = (self.finished_at or self.created_at or datetime.datetime.now()).date()
        return f"subject-access-advisor-{self.advisor_id}-{day:%Y-%m-%d}.zip"


class SubjectAccessDownload(models.Model):
    """Who downloaded a subject access ZIP, and when: it holds bank details and equality
    answers, and every view of those is logged. Append-only (the admin offers no edit)."""

    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.CASCADE, related_name="downloads"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.by} downloaded {self.request} at {self.at:%Y-%m-%d %H:%M}"
