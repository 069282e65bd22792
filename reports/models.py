"""Background work that spans the apps: the reminder delivery log and PDF report requests."""

from django.conf import settings
from django.db import models

from ascru_pie.lib.storage import private_storage


class Delivery(models.Model):
    """One reminder to one person about one thing. The key makes it happen at most once."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        CALL = "call", "To call (on the coordinator's list)"
        POST = "post", "To post (on the coordinator's list)"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        LISTED = "listed", "On the coordinator's contact list"
        FAILED = "failed", "Failed"

    key = models.CharField(
        max_length=200, unique=True, help_text="kind:object:person[:period] – never sent twice"
    )
    kind = models.CharField(max_length=40)
    object_label = models.CharField(max_length=300, blank=True)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    advisor = models.ForeignKey(
        "advisors.Advisor",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    recipient = models.CharField(max_length=254, blank=True)
    channel = models.CharField(max_length=10, choices=Channel, default=Channel.EMAIL)
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a worker claimed the send; a claim older than a few minutes is a worker that died.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # For call/post deliveries: when they went out on the coordinator's daily list.
    listed_on = models.DateField(null=True, blank=True)
    # Payload for rendering: the email template name and ids of what it is about.
    template = models.CharField(max_length=60)
    context = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["status", "channel"], name="reports_delivery_status")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient or self.advisor or self.user}: {self.get_status_display()}"


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
