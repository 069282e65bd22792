from django.conf import settings
from django.db import models


class Project(models.Model):
    """A research project of the unit. The projects issue adds PIE plans and membership."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"

    title = models.CharField(max_length=200)
    summary = models.TextField("plain-English summary", blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="projects")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PLANNED)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
