"""Meetings, invitations and RSVPs, advisor-proposed agenda items, and attendance."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ascru_pie.lib.storage import private_storage


class MeetingQuerySet(models.QuerySet):
    def upcoming(self) -> "MeetingQuerySet":
        return self.filter(ends_at__gte=timezone.now()).order_by("starts_at", "pk")

    def past(self) -> "MeetingQuerySet":
        # Meetings at the same time keep the order they were made in, on every database.
        return self.filter(ends_at__lt=timezone.now()).order_by("-starts_at", "pk")

    def management_held(self) -> "MeetingQuerySet":
        return (
            self.filter(type=Meeting.Type.MANAGEMENT)
            .exclude(status=Meeting.Status.CANCELLED)
            .filter(ends_at__lt=timezone.now())
        )

    def overlapping(self, starts_at, ends_at) -> "MeetingQuerySet":
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exclude(
            status=Meeting.Status.CANCELLED
        )


class Meeting(models.Model):
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

    class Mode(models.TextChoices):
        ONLINE = "online", "Online"
        IN_PERSON = "in_person", "In person"
        BOTH = "both", "Online and in person"

    title = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=Type)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    mode = models.CharField("online or in person", max_length=10, choices=Mode, default=Mode.ONLINE)
    location = models.TextField(blank=True, help_text="Address and room, for in-person meetings.")
    joining_details = models.TextField(
        blank=True, help_text="Link and how to join, for online meetings."
    )
    step_free_access = models.BooleanField(default=False)
    hearing_loop = models.BooleanField(default=False)
    bsl_interpreter = models.BooleanField("BSL interpreter", default=False)
    captions = models.BooleanField(default=False)
    quiet_room = models.BooleanField(default=False)
    accessibility_notes = models.TextField(blank=True)
    preparation_hours = models.DecimalField(
        "paid preparation time (hours)", max_digits=4, decimal_places=2, default=Decimal("0.00")
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.SCHEDULED)
    agenda_deadline = models.DateTimeField(
        null=True, blank=True, help_text="Advisors and staff can propose agenda items until then."
    )
    agenda_published_at = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(blank=True)
    minutes_published = models.BooleanField(default=False)
    pie_lead_present = models.BooleanField(
        "a PIE lead was present",
        null=True,
        blank=True,
        help_text="Recorded for management meetings.",
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Set by the one run that tells invitees of a cancellation, so they are told once.
    cancellation_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="meetings_ends_after_start",
                violation_error_message="The meeting must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(preparation_hours__gte=0),
                name="meetings_preparation_non_negative",
                violation_error_message="Preparation hours cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%d %b %Y})"

    @property
    def duration_hours(self) -> Decimal:
        seconds = Decimal((self.ends_at - self.starts_at).total_seconds())
        return (seconds / Decimal(3600)).quantize(Decimal("0.01"))

    @property
    def agenda_open(self) -> bool:
        return (
            self.status == self.Status.SCHEDULED
            and self.agenda_deadline is not None
            and timezone.now() <= self.agenda_deadline
        )

    @property
    def accessibility_features(self) -> list[str]:
        features = [
            ("step_free_access", "Step-free access"),
            ("hearing_loop", "Hearing loop"),
            ("bsl_interpreter", "BSL interpreter"),
            ("captions", "Live captions"),
            ("quiet_room", "Quiet room"),
        ]
        return [label for field, label in features if getattr(self, field)]


class MeetingPaper(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="meeting-papers/%Y/", storage=private_storage)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    class RSVP(models.TextChoices):
        PENDING = "pending", "Not answered yet"
        YES = "yes", "Yes, I will come"
        NO = "no", "No, I cannot come"
        MAYBE = "maybe", "Maybe"

    class AnsweredHow(models.TextChoices):
        """How the answer reached us: the advisor's own portal, or told to the PIE team."""

        PORTAL = "portal", "On the portal"
        PHONE = "phone", "By phone"
        POST = "post", "By post"
        IN_PERSON = "in_person", "In person"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    advisor = models.ForeignKey(
        "advisors.Advisor", on_delete=models.PROTECT, related_name="invitations"
    )
    rsvp = models.CharField("your answer", max_length=10, choices=RSVP, default=RSVP.PENDING)
    needs = models.TextField(
        "what you need for this meeting",
        blank=True,
        help_text="For example a taxi, a carer coming with you, or large-print papers posted to you.",
    )
    invited_at = models.DateTimeField(default=timezone.now)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    # Who entered the answer (the advisor on the portal, or staff who took a call or letter).
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_how = models.CharField(max_length=10, choices=AnsweredHow, blank=True)

    class Meta:
        ordering = ["meeting", "advisor__last_name", "advisor__first_name"]
        indexes = [
            # An advisor's latest invitation (the inactive-advisors reminder, her portal).
            models.Index(fields=["advisor", "invited_at"], name="meetings_inv_advisor_when"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "advisor"],
                name="meetings_one_invitation",
                violation_error_message="This advisor is already invited to this meeting.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.advisor} – {self.meeting}"

    @property
    def answer_words(self) -> str:
        """The advisor's answer, as their portal says it to them."""
        return {
            self.RSVP.PENDING: "You have not answered yet",
            self.RSVP.YES: "You said yes, you will come",
            self.RSVP.NO: "You said no, you cannot come",
            self.RSVP.MAYBE: "You said maybe",
        }[self.rsvp]

    @property
    def roster_answer_words(self) -> str:
        """The answer as the PIE team reads it on the roster and in its CSV (the choice labels
        speak to the advisor)."""
        return {
            self.RSVP.PENDING: "Not answered yet",
            self.RSVP.YES: "Yes, coming",
            self.RSVP.MAYBE: "Maybe",
            self.RSVP.NO: "No, cannot come",
        }[self.rsvp]

    @property
    def answered_words(self) -> str:
        """How and when the answer came, for the roster ("" when not answered)."""
        if self.rsvp == self.RSVP.PENDING or not self.answered_how:
            return ""
        if self.answered_how == self.AnsweredHow.PORTAL:
            return "Answered on the portal"
        return f"Told us {self.get_answered_how_display().lower()}"


class AgendaItem(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        DEFERRED = "deferred", "Deferred to a later meeting"
        DECLINED = "declined", "Declined"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    title = models.CharField(max_length=200)
    description = models.TextField("short description", blank=True)
    speaker = models.CharField("who will speak to it", max_length=200, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PROPOSED)
    reason = models.TextField(blank=True, help_text="Shown to the person who proposed it.")
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "order", "created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def proposal_words(self) -> str:
        """What happened to the item, as the person who proposed it reads it."""
        return {
            self.Status.PROPOSED: "Waiting for the PIE team to decide",
            self.Status.ACCEPTED: "Accepted: it is on the agenda",
            self.Status.DEFERRED: "Moved to a later meeting",
            self.Status.DECLINED: "Not accepted",
        }[self.status]


class Attendance(models.Model):
    """Who came, recorded by staff after the meeting; feeds a time claim (payments)."""

    class Status(models.TextChoices):
        ATTENDED = "attended", "Attended"
        PARTLY = "partly", "Attended part"
        ABSENT = "absent", "Absent"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendances")
    advisor = models.ForeignKey(
        "advisors.Advisor", on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(max_length=10, choices=Status)
    minutes_attended = models.PositiveIntegerField(
        null=True, blank=True, help_text="For partial attendance: how many minutes."
    )
    preparation_hours = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("0.00"))
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "advisor__last_name"]
        verbose_name_plural = "attendance"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "advisor"],
                name="meetings_one_attendance",
                violation_error_message="This advisor's attendance at this meeting is already recorded.",
            ),
            models.CheckConstraint(
                condition=Q(preparation_hours__gte=0),
                name="meetings_attendance_prep_non_negative",
                violation_error_message="Preparation hours cannot be negative.",
            ),
            models.CheckConstraint(
                condition=~Q(status="partly") | Q(minutes_attended__gt=0),
                name="meetings_partly_needs_minutes",
                violation_error_message="Partial attendance needs the minutes attended.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.advisor} at {self.meeting}: {self.get_status_display()}"

    @property
    def hours_attended(self) -> Decimal:
        if self.status == self.Status.ABSENT:
            return Decimal("0.00")
        if self.status == self.Status.PARTLY:
            return (Decimal(self.minutes_attended or 0) / Decimal(60)).quantize(Decimal("0.01"))
        return self.meeting.duration_hours
