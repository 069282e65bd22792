from django.conf import settings
from django.db import models


class ImpactRecord(models.Model):
    """What involvement did for the research. The impacts issue adds the full record."""

    class Stage(models.TextChoices):
        IDENTIFYING = "identifying", "Identifying and prioritising"
        DESIGN = "design", "Design"
        CONDUCT = "conduct", "Conduct / data collection"
        ANALYSIS = "analysis", "Analysis"
        DISSEMINATION = "dissemination", "Dissemination and implementation"
        BEYOND = "beyond", "Beyond the project: policy and practice"

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="impacts")
    stage = models.CharField(max_length=20, choices=Stage)
    what_changed = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField()

    class Meta:
        ordering = ["-recorded_on"]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_stage_display()}"
