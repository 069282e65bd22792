"""PDF reports that someone asked for, built by a worker."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from ascru_pie.lib.storage import private_storage


class ReportRequestQuerySet(models.QuerySet):
    def without_task(self, *, now: datetime.datetime) -> "ReportRequestQuerySet":
        """Queued with no live task: the broker never took one, or the one it took was due
        TASK_LOST_AFTER_SECONDS ago and has not started (lost when Redis restarted empty)."""
        lost = now - datetime.timedelta(seconds=settings.TASK_LOST_AFTER_SECONDS)
        return self.filter(
            Q(task_due_at=None) | Q(task_due_at__lt=lost), status=ReportRequest.Status.QUEUED
        )

    def lease_expired(self, *, now: datetime.datetime) -> "ReportRequestQuerySet":
        """Being made for longer than any worker may take: the worker making it died."""
        lease = datetime.timedelta(seconds=settings.REPORT_LEASE_SECONDS)
        return self.filter(status=ReportRequest.Status.RUNNING, started_at__lt=now - lease)


class ReportRequest(models.Model):
    """A PDF someone asked for; built by a Celery worker, downloaded when done."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", "Annual PIE report"
        PROJECT = "project", "Project PIE report"
        STATEMENT = "statement", "Tax-year statement of payments"
        CERTIFICATE = "certificate", "Certificate of involvement"
        REFERENCE = "reference", "Reference letter"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being made"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=15, choices=Kind)
    year = models.PositiveIntegerField(null=True, blank=True)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    advisor = models.ForeignKey(
        "advisors.Advisor", on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    letter_text = models.TextField(
        blank=True, help_text="For reference letters: the text drafted by the PIE team."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="reports/%Y/", storage=private_storage, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the task that makes it was handed to the broker; empty when the broker did not take
    # it (Redis down), so the sweeper knows to send it (services.report_requests_sweep).
    task_due_at = models.DateTimeField(null=True, blank=True)
    # How many times a worker has started making it; a worker that dies leaves it "running"
    # until its lease (REPORT_LEASE_SECONDS) runs out, and then it is tried again or failed.
    attempts = models.PositiveSmallIntegerField(default=0)

    objects = ReportRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display().lower()})"

    @property
    def filename(self) -> str:
        parts = [
            self.kind,
            str(self.year or ""),
            f"project-{self.project_id}" if self.project_id else "",
            f"advisor-{self.advisor_id}" if self.advisor_id else "",
        ]
        return "-".join(p for p in parts if p) + ".pdf"
