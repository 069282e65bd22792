"""The Public Advisor register, open applications, and protected equality data."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from ascru_pie.lib.history import ChangedHistoricalRecords
from ascru_pie.lib.storage import private_storage


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    POST = "post", "Post"


class ContactFormat(models.TextChoices):
    STANDARD = "standard", "Standard"
    LARGE_PRINT = "large_print", "Large print"
    EASY_READ = "easy_read", "Easy read"
    OTHER = "other", "Other"


class PaymentPreference(models.TextChoices):
    BANK_TRANSFER = "bank", "Bank transfer"
    VOUCHER = "voucher", "Vouchers"
    DECLINE = "decline", "I do not want to be paid"


class LivedExperience(models.Model):
    """A kind of lived experience of social care (a short fixed list, kept as data for filters)."""

    code = models.SlugField(max_length=30, unique=True)
    label = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "label"]
        verbose_name_plural = "lived experience types"

    def __str__(self) -> str:
        return self.label


class Topic(models.Model):
    """A topic of interest advisors choose from (the unit's research themes)."""

    name = models.CharField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class PersonDetails(models.Model):
    """What an applicant tells us and an advisor keeps up to date: shared by both models."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address = models.TextField("postal address", blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    contact_method = models.CharField(
        "preferred way to contact",
        max_length=10,
        choices=ContactMethod,
        default=ContactMethod.EMAIL,
    )
    contact_format = models.CharField(
        "preferred format", max_length=15, choices=ContactFormat, default=ContactFormat.STANDARD
    )
    contact_format_other = models.CharField("other format", max_length=200, blank=True)
    lived_experience_detail = models.TextField("more about your experience", blank=True)
    availability = models.TextField(blank=True)
    support_needs = models.TextField("support or access needs", blank=True)

    class Meta:
        abstract = True

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class AdvisorQuerySet(models.QuerySet):
    def active(self) -> "AdvisorQuerySet":
        """Advisors we invite and remind: not paused, not left (see Advisor.Status)."""
        return self.filter(status=Advisor.Status.ACTIVE)

    def taking_part(self) -> "AdvisorQuerySet":
        """Advisors who may still use the portal, answer and take part: everyone but Left."""
        return self.exclude(status=Advisor.Status.LEFT)

    def contact_withdrawn(self) -> "AdvisorQuerySet":
        """Advisors whose latest contact consent says no: we send them no reminders.

        No consent row at all is not a withdrawal (advisors added before consent was
        recorded, or by import, were asked on paper).
        """
        latest = (
            Consent.objects.filter(advisor=OuterRef("pk"), purpose=Consent.Purpose.CONTACT)
            .order_by("-at", "-pk")
            .values("given")[:1]
        )
        return self.annotate(contact_given=Subquery(latest)).filter(contact_given=False)


class Advisor(PersonDetails):
    """A Public Advisor on the register."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        LEFT = "left", "Left"

    class Acknowledgement(models.TextChoices):
        FULL_NAME = "full_name", "Full name"
        INITIALS = "initials", "Initials only"
        ANONYMOUS = "anonymous", "Anonymous"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="advisor",
    )
    lived_experience = models.ManyToManyField(LivedExperience, blank=True, related_name="advisors")
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="advisors", verbose_name="topics of interest"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE)
    joined_on = models.DateField(null=True, blank=True)
    status_changed_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)
    pieg_member = models.BooleanField("PIEG member", default=False)
    enhanced_support = models.BooleanField(
        default=False, help_text="Needs that cost more to meet; agree an annual support budget."
    )
    support_budget = models.DecimalField(
        "agreed annual support budget (£)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    acknowledgement = models.CharField(
        "how to be named in outputs",
        max_length=10,
        choices=Acknowledgement,
        default=Acknowledgement.FULL_NAME,
    )
    heard_about = models.CharField("how they heard about the unit", max_length=200, blank=True)
    payment_preference = models.CharField(
        "how to be paid",
        max_length=10,
        choices=PaymentPreference,
        default=PaymentPreference.BANK_TRANSFER,
        help_text="Some advisors choose vouchers, or not to be paid (for example because of benefits).",
    )
    annual_limit = models.DecimalField(
        "annual payment limit (£)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Optional. We warn before a claim would take your payments in a tax year over this amount.",
    )
    staff_notes = models.TextField(blank=True)
    # When the PIE team last emailed them the link to set a password (who: the history).
    invitation_sent_at = models.DateTimeField("invitation last sent", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AdvisorQuerySet.as_manager()
    # Who changed what, when, old → new (django-simple-history; see advisors/audit.py).
    history = ChangedHistoricalRecords(
        excluded_fields=["updated_at"], m2m_fields=["lived_experience", "topics"]
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        permissions = [("view_bank_details", "Can see advisors' payment details")]
        # The admin's register lists advisors by name (its default order, with the pk as
        # tie-breaker) and filters by status: one index for each, so a page of 100 out of
        # thousands is read from the index, not sorted from the whole table.
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="advisors_name_order"),
            models.Index(fields=["status", "last_name", "first_name"], name="advisors_status_name"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=~Q(email=""),
                name="advisors_unique_email",
                violation_error_message="Another advisor already has this email address.",
            ),
            models.CheckConstraint(
                condition=Q(support_budget__isnull=True) | Q(support_budget__gte=Decimal("0")),
                name="advisors_support_budget_non_negative",
                violation_error_message="The support budget cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    # What each status means, in one place (issue 14):
    # - Active: invited, reminded, may answer invitations and express interest.
    # - Paused: no invitations or reminders, but keeps access to the portal and documents,
    #   and may still answer what they were already invited to.
    # - Left: cannot sign in, answer or express interest; gets nothing from us.
    @property
    def gets_invitations(self) -> bool:
        """Whether we invite and remind this advisor (new meetings, opportunities, reminders)."""
        return self.status == self.Status.ACTIVE

    @property
    def can_take_part(self) -> bool:
        """Whether this advisor may sign in, answer an invitation or express interest."""
        return self.status != self.Status.LEFT

    def acknowledged_as(self) -> str:
        """How this advisor is named in outputs, by their own choice."""
        if self.acknowledgement == self.Acknowledgement.ANONYMOUS:
            return "A Public Advisor"
        if self.acknowledgement == self.Acknowledgement.INITIALS:
            return f"{self.first_name[:1]}. {self.last_name[:1]}.".upper()
        return self.full_name


class Application(PersonDetails):
    """An application to join, made by a member of the public at /apply/ without an account."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        SHORTLISTED = "shortlisted", "Shortlisted"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    lived_experience = models.ManyToManyField(
        LivedExperience, blank=True, related_name="applications"
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="applications")
    heard_about = models.CharField("how did you hear about us", max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=Status, default=Status.RECEIVED)
    staff_notes = models.TextField(blank=True)
    privacy_notice_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField()
    # A keyed hash of the sender's address, for the submission limit; never the address itself.
    source_hash = models.CharField(max_length=64, blank=True, db_index=True)
    advisor = models.OneToOneField(
        Advisor, on_delete=models.PROTECT, null=True, blank=True, related_name="application"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = ChangedHistoricalRecords(excluded_fields=["updated_at", "source_hash"])

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return (
            f"{self.full_name} ({self.created_at:%d %b %Y})" if self.created_at else self.full_name
        )


class ApplicationEvent(models.Model):
    """Who changed an application's status, when, and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class EqualityMonitoring(models.Model):
    """Optional equality answers: special-category data.

    Individual answers are visible only with `advisors.view_equality`; everyone else sees
    aggregates with counts below 5 suppressed (advisors.services.equality_summary).
    """

    PREFER_NOT = "prefer_not_to_say"

    class AgeBand(models.TextChoices):
        UNDER_25 = "under_25", "Under 25"
        A25_34 = "25_34", "25 to 34"
        A35_44 = "35_44", "35 to 44"
        A45_54 = "45_54", "45 to 54"
        A55_64 = "55_64", "55 to 64"
        A65_74 = "65_74", "65 to 74"
        A75_PLUS = "75_plus", "75 or over"
        PREFER_NOT = "prefer_not_to_say", "Prefer not to say"

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        PREFER_NOT = "prefer_not_to_say", "Prefer not to say"

    class GenderIdentity(models.TextChoices):
        SAME = "same", "Yes, my gender identity is the same as my sex registered at birth"
        DIFFERENT = "different", "No, my gender identity is different"
        PREFER_NOT = "prefer_not_to_say", "Prefer not to say"

    class Ethnicity(models.TextChoices):
        ASIAN = "asian", "Asian or Asian British"
        BLACK = "black", "Black, Black British, Caribbean or African"
        MIXED = "mixed", "Mixed or multiple ethnic groups"
        WHITE = "white", "White"
        OTHER = "other", "Other ethnic group"
        PREFER_NOT = "prefer_not_to_say", "Prefer not to say"

    class Disability(models.TextChoices):
        YES_A_LOT = "yes_a_lot", "Yes, limited a lot"
        YES_A_LITTLE = "yes_a_little", "Yes, limited a little"
        NO = "no", "No"
        PREFER_NOT = "prefer_not_to_say", "Prefer not to say"

    class SexualOrientation(models.TextChoices):
        STRAIGHT = "straight", "Straight or heterosexual"
        GAY_LESBIAN = "gay_lesbian", "Gay or lesbian"
        BISEXUAL = "bisexual", "Bisexual"
        OTHER = "other", "Other sexual orientation"
        PREFER_NOT = "prefer_not_to_say", "Prefer not to say"

    class Religion(models.TextChoices):
        NONE = "none", "No religion"
        CHRISTIAN = "christian", "Christian"
        BUDDHIST = "buddhist", "Buddhist"
        HINDU = "hindu", "Hindu"
        JEWISH = "jewish", "Jewish"
        MUSLIM = "muslim", "Muslim"
        SIKH = "sikh", "Sikh"
        OTHER = "other", "Any other religion"
        PREFER_NOT = "prefer_not_to_say", "Prefer not to say"

    class Carer(models.TextChoices):
        NO = "no", "No"
        YES_UNDER_20 = "yes_under_20", "Yes, up to 19 hours a week"
        YES_20_49 = "yes_20_49", "Yes, 20 to 49 hours a week"
        YES_50_PLUS = "yes_50_plus", "Yes, 50 or more hours a week"
        PREFER_NOT = "prefer_not_to_say", "Prefer not to say"

    class Region(models.TextChoices):
        NORTH_EAST = "north_east", "North East"
        NORTH_WEST = "north_west", "North West"
        YORKSHIRE = "yorkshire", "Yorkshire and the Humber"
        EAST_MIDLANDS = "east_midlands", "East Midlands"
        WEST_MIDLANDS = "west_midlands", "West Midlands"
        EAST = "east", "East of England"
        LONDON = "london", "London"
        SOUTH_EAST = "south_east", "South East"
        SOUTH_WEST = "south_west", "South West"
        WALES = "wales", "Wales"
        SCOTLAND = "scotland", "Scotland"
        NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"
        PREFER_NOT = "prefer_not_to_say", "Prefer not to say"

    # (field name, question as asked, choices) — the one list the form, admin and summary use.
    QUESTIONS = [
        ("age_band", "What is your age?", AgeBand),
        ("sex", "What is your sex?", Sex),
        (
            "gender_identity",
            "Is the gender you identify with the same as your sex registered at birth?",
            GenderIdentity,
        ),
        ("ethnicity", "What is your ethnic group?", Ethnicity),
        (
            "disability",
            "Are your day-to-day activities limited because of a health problem or disability "
            "which has lasted, or is expected to last, at least 12 months?",
            Disability,
        ),
        (
            "sexual_orientation",
            "Which of the following best describes your sexual orientation?",
            SexualOrientation,
        ),
        ("religion", "What is your religion?", Religion),
        (
            "carer",
            "Do you look after, or give any help or support to, anyone because they have long-term "
            "physical or mental health conditions or illnesses, or problems related to old age?",
            Carer,
        ),
        ("region", "Where in the UK do you live?", Region),
    ]

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="equality"
    )
    advisor = models.OneToOneField(
        Advisor, on_delete=models.SET_NULL, null=True, blank=True, related_name="equality"
    )
    age_band = models.CharField(max_length=20, choices=AgeBand, blank=True)
    sex = models.CharField(max_length=20, choices=Sex, blank=True)
    gender_identity = models.CharField(max_length=20, choices=GenderIdentity, blank=True)
    ethnicity = models.CharField(max_length=20, choices=Ethnicity, blank=True)
    disability = models.CharField(max_length=20, choices=Disability, blank=True)
    sexual_orientation = models.CharField(max_length=20, choices=SexualOrientation, blank=True)
    religion = models.CharField(max_length=20, choices=Religion, blank=True)
    carer = models.CharField("caring responsibilities", max_length=20, choices=Carer, blank=True)
    region = models.CharField(max_length=20, choices=Region, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Special category: only `advisors.view_equality` holders see this history (advisors/audit.py).
    history = ChangedHistoricalRecords()

    class Meta:
        verbose_name = "equality monitoring answers"
        verbose_name_plural = "equality monitoring answers"
        permissions = [("view_equality", "Can see individual equality monitoring answers")]

    def __str__(self) -> str:
        return f"Equality answers #{self.pk}"


class Training(models.Model):
    advisor = models.ForeignKey(Advisor, on_delete=models.CASCADE, related_name="training")
    course = models.CharField(max_length=200)
    completed_on = models.DateField()
    provider = models.CharField(max_length=200, blank=True)
    certificate = models.FileField(
        upload_to="training-certificates/%Y/", storage=private_storage, blank=True
    )

    class Meta:
        ordering = ["-completed_on"]
        verbose_name_plural = "training"

    def __str__(self) -> str:
        return f"{self.course} ({self.completed_on:%b %Y})"


class Recognition(models.Model):
    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", "Certificate of involvement issued"
        REFERENCE = "reference", "Reference given"
        OTHER = "other", "Other recognition"

    advisor = models.ForeignKey(Advisor, on_delete=models.CASCADE, related_name="recognitions")
    kind = models.CharField(max_length=20, choices=Kind)
    given_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-given_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.given_on:%d %b %Y})"


class ConsentRefused(Exception):
    """A consent record was asked to change or go: consent is append-only."""


class Consent(models.Model):
    """One statement of consent, given or withdrawn. Append-only: never changed or deleted.

    An advisor's current consent for a purpose is their latest row for it, so the rows are
    also the record of every change (who recorded it, when, and how it reached us).
    """

    class Purpose(models.TextChoices):
        CONTACT = "contact", "Being contacted about involvement (reminders, invitations)"
        PRIVACY_NOTICE = "privacy_notice", "The privacy notice"

    class Method(models.TextChoices):
        APPLICATION = "application", "On the application form"
        PORTAL = "portal", "Online, by the advisor"
        PHONE = "phone", "By phone, recorded by staff"
        WRITING = "writing", "In writing (letter or email), recorded by staff"

    advisor = models.ForeignKey(Advisor, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose)
    given = models.BooleanField(help_text="Ticked: consent given. Not ticked: withdrawn.")
    privacy_notice_version = models.CharField(max_length=20, blank=True)
    at = models.DateTimeField("when", default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField("how", max_length=15, choices=Method)
    note = models.CharField(max_length=300, blank=True)

    history = ChangedHistoricalRecords()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["advisor", "purpose", "-at"], name="advisors_consent_latest")
        ]

    def __str__(self) -> str:
        state = "given" if self.given else "withdrawn"
        return f"{self.get_purpose_display()}: {state} ({self.at:%d %b %Y})"

    def save(self, *args, **kwargs) -> None:
        # A consent row, once written, is evidence: a change is a new row.
        if not self._state.adding:
            raise ConsentRefused("Consent records are never changed: record a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ConsentRefused("Consent records are never deleted.")


class SensitiveDataView(models.Model):
    """Someone saw an individual's equality answers or full bank details: who, when, whose, where.

    Written by advisors.audit.sensitive_view_log wherever those values are shown in full;
    seen only by superusers, and never changed.
    """

    class What(models.TextChoices):
        EQUALITY = "equality", "equality answers"
        BANK_DETAILS = "bank_details", "bank details"

    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    advisor = models.ForeignKey(
        Advisor, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Equality answers of an applicant not (yet) on the register.
    application = models.ForeignKey(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    what = models.CharField(max_length=15, choices=What)
    where = models.CharField(max_length=200)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "view of sensitive data"
        verbose_name_plural = "views of sensitive data"

    def __str__(self) -> str:
        whose = self.advisor or self.application or "someone"
        return f"{self.viewer} saw {whose}'s {self.get_what_display()} ({self.where})"


class ImportJob(models.Model):
    """A register file being imported in the background (advisors.imports): its progress,
    counts and problems. The uploaded file is kept only until the import ends."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        CHECKING = "checking", "Checking the rows"
        SAVING = "saving", "Saving"
        DONE = "done", "Imported"
        FAILED = "failed", "Nothing was imported"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    # The file itself, emptied when the import ends (it holds the register's personal data).
    data = models.BinaryField(editable=False, default=bytes)
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    rows_new = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    # One problem a line, each naming its row and column.
    problems = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "register import"

    def __str__(self) -> str:
        return f"Import of {self.filename} ({self.get_status_display().lower()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def problem_list(self) -> list[str]:
        return [p for p in self.problems.splitlines() if p]
