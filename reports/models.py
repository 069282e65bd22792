"""PDF reports that someone asked for, built by a worker."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from ascru_pie.lib.storage import private_storage


class PeriodKind(models.TextChoices):
    """What an annual report's year means: January to December, or April to March."""

    CALENDAR = "calendar", "Calendar year (January to December)"
    FINANCIAL = "financial", "Financial year (April to March)"


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
    # Annual reports: whether `year` is a calendar year or the financial year starting in April.
    period_kind = models.CharField(
        "kind of year", max_length=10, choices=PeriodKind, default=PeriodKind.CALENDAR
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    advisor = models.ForeignKey(
        "advisors.Advisor", on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    letter_text = models.TextField(
        blank=True, help_text="For reference letters: the text drafted by the PIE team."
    )
    # For reference letters: who gives the reference (a member of staff), as signed on the letter.
    referee_name = models.CharField("referee's name", max_length=200, blank=True)
    referee_role = models.CharField("referee's role", max_length=200, blank=True)
    referee_contact = models.TextField(
        "how to contact the referee", blank=True, help_text="Email, phone or address, one a line."
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
            "financial-year" if self.period_kind == PeriodKind.FINANCIAL else "",
            f"project-{self.project_id}" if self.project_id else "",
            f"advisor-{self.advisor_id}" if self.advisor_id else "",
        ]
        return "-".join(p for p in parts if p) + ".pdf"


class EvidenceQuerySet(models.QuerySet):
    def for_period(self, *, year: int, period_kind: str) -> "EvidenceQuerySet":
        return self.filter(year=year, period_kind=period_kind)


class ReportExample(models.Model):
    """An example the PIE team chose for one UK Standard in one year's annual report, in the
    words they edited. The annual report shows only these: nothing is picked automatically."""

    year = models.PositiveIntegerField(help_text="The year the report starts in.")
    period_kind = models.CharField(
        "kind of year", max_length=10, choices=PeriodKind, default=PeriodKind.CALENDAR
    )
    standard = models.ForeignKey(
        "impacts.Standard", on_delete=models.PROTECT, related_name="report_examples"
    )
    impact = models.ForeignKey(
        "impacts.ImpactRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report_examples",
    )
    # An advisor's own words: erased with the reflection (and the advisor), never kept alone.
    reflection = models.ForeignKey(
        "impacts.AdvisorReflection",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_examples",
    )
    output = models.ForeignKey(
        "projects.Output",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report_examples",
    )
    text = models.TextField("wording in the report")
    order = models.PositiveSmallIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["year", "period_kind", "standard__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "period_kind", "text"],
                name="reports_example_text_once",
                violation_error_message="This wording is already an example in this report.",
            ),
            models.UniqueConstraint(
                fields=["year", "period_kind", "impact"],
                condition=Q(impact__isnull=False),
                name="reports_example_impact_once",
                violation_error_message="This impact is already an example in this report.",
            ),
            models.UniqueConstraint(
                fields=["year", "period_kind", "reflection"],
                condition=Q(reflection__isnull=False),
                name="reports_example_reflection_once",
                violation_error_message="This reflection is already an example in this report.",
            ),
            models.UniqueConstraint(
                fields=["year", "period_kind", "output"],
                condition=Q(output__isnull=False),
                name="reports_example_output_once",
                violation_error_message="This output is already an example in this report.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard} example ({self.year})"

    @property
    def source_words(self) -> str:
        """Where the example came from, for the PIE team's page."""
        if self.reflection_id:
            return "An advisor's reflection"
        if self.output_id:
            return "A co-produced output"
        if self.impact_id:
            return "An impact record"
        return "Written by the PIE team"


class StandardNarrative(models.Model):
    """The PIE team's short narrative for one UK Standard in one year's annual report."""

    year = models.PositiveIntegerField()
    period_kind = models.CharField(
        "kind of year", max_length=10, choices=PeriodKind, default=PeriodKind.CALENDAR
    )
    standard = models.ForeignKey(
        "impacts.Standard", on_delete=models.PROTECT, related_name="report_narratives"
    )
    text = models.TextField("narrative")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["year", "period_kind", "standard__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "period_kind", "standard"],
                name="reports_one_narrative_per_standard",
                violation_error_message="This standard already has a narrative for this report.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.standard} narrative ({self.year})"
