from django.db import models


class Meeting(models.Model):
    """A meeting advisors are invited to. The meetings issue adds invitations and attendance."""

    class Type(models.TextChoices):
        MANAGEMENT = "management", "Management Group"
        PIEG = "pieg", "PIEG"
        PROJECT = "project", "Project advisory group"
        WORKSHOP = "workshop", "Workshop"
        TRAINING = "training", "Training"
        DISSEMINATION = "dissemination", "Dissemination event"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=Type)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status, default=Status.SCHEDULED)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meetings_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%d %b %Y})"
