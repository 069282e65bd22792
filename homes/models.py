"""The library of resources the PIE team shares with advisors: guides, training material and
how payments and benefits work. Files are private (served by an access-checked view)."""

from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q

from ascru_pie.lib.storage import private_storage

# Documents people open on a phone or a home computer; nothing that runs.
RESOURCE_EXTENSIONS = ["pdf", "docx", "doc", "odt", "rtf", "txt", "pptx", "xlsx", "mp3", "mp4"]


class ResourceQuerySet(models.QuerySet):
    def shown(self) -> "ResourceQuerySet":
        """What advisors see, grouped by kind, in the PIE team's order."""
        return self.filter(shown_to_advisors=True).order_by("kind", "order", "title", "pk")


class Resource(models.Model):
    """One file or one link in the advisors' library, managed by the PIE team in the admin."""

    class Kind(models.TextChoices):
        GUIDE = "guide", "Guides"
        TRAINING = "training", "Training material"
        PAYMENTS = "payments", "How payments and benefits work"

    title = models.CharField(max_length=200, unique=True)
    kind = models.CharField("section", max_length=10, choices=Kind, default=Kind.GUIDE)
    description = models.TextField(
        "what it is", blank=True, help_text="One or two sentences advisors read before opening it."
    )
    file = models.FileField(
        upload_to="resources/%Y/",
        storage=private_storage,
        blank=True,
        validators=[FileExtensionValidator(RESOURCE_EXTENSIONS)],
        help_text="A file to download. Give a file or a link, not both.",
    )
    link = models.URLField(
        blank=True, help_text="A web page to open, for example a national guide or a video."
    )
    shown_to_advisors = models.BooleanField(
        default=True, help_text="Untick to hide it from advisors without deleting it."
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "order", "title"]
        constraints = [
            # Exactly one of a file or a link, whatever path writes the row.
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(link="")) | (~Q(file="") & Q(link="")),
                name="homes_resource_file_or_link",
                violation_error_message="Give a file or a link, not both.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if bool(self.file) == bool(self.link):
            raise ValidationError("Give a file to download or a link to open (one of them).")

    @property
    def filename(self) -> str:
        return PurePosixPath(self.file.name).name if self.file else ""

    @property
    def file_type(self) -> str:
        """'PDF', 'Word document' ... for the link text, so people know what they will get."""
        extension = PurePosixPath(self.file.name).suffix.lower().lstrip(".") if self.file else ""
        return {
            "pdf": "PDF",
            "doc": "Word document",
            "docx": "Word document",
            "odt": "document",
            "rtf": "document",
            "txt": "text file",
            "pptx": "slides",
            "xlsx": "spreadsheet",
            "mp3": "audio",
            "mp4": "video",
        }.get(extension, "file")
