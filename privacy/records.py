"""What erasure and the retention job leave behind: a record that they happened, with counts
and the pseudonym only (never the erased values). Imported by privacy.models."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ErasureRecord(models.Model):
    """One person erased: who asked, when, and what was done (counts by kind of record).

    At most one per advisor and one per application, so erasing twice finds this record and
    changes nothing."""

    class Reason(models.TextChoices):
        REQUEST = "request", "They asked to be erased"
        RETENTION = "retention", "The retention period ended"

    advisor = models.OneToOneField(
        "advisors.Advisor", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    application = models.OneToOneField(
        "advisors.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pseudonym = models.CharField(max_length=40)
    reason = models.CharField(max_length=10, choices=Reason, default=Reason.REQUEST)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    # {"advisors.Advisor": 1, "payments.Claim": 4, "files": 2, ...}: rows changed per model.
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-pk"]
        permissions = [("erase_person", "Can erase an advisor or a declined applicant")]
        constraints = [
            models.CheckConstraint(
                condition=Q(advisor__isnull=False) | Q(application__isnull=False),
                name="privacy_erasure_of_someone",
                violation_error_message="An erasure is of an advisor or an application.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pseudonym} erased {self.at:%d %b %Y}"


class RetentionRun(models.Model):
    """One run of the retention job (privacy.retention.retention_run), for the PIE team."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # {"applications_erased": 2, "advisors_erased": 1, "receipts_deleted": 5, ...}
    counts = models.JSONField(default=dict)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Retention run {self.started_at:%d %b %Y %H:%M}"
