"""The PIE impact database ("What has this involvement done for the research?") and feedback."""

import os
import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import connections, models
from django.db.models import Case, F, IntegerField, Q, Value, When

from ascru_pie.lib.storage import private_storage
from ascru_pie.roles import Role
from projects.models import ProjectMembership, Stage


class ImpactStage(models.TextChoices):
    """The research stages of projects.models.Stage, plus impact beyond the project."""

    IDENTIFYING = Stage.IDENTIFYING.value, Stage.IDENTIFYING.label
    DESIGN = Stage.DESIGN.value, Stage.DESIGN.label
    CONDUCT = Stage.CONDUCT.value, Stage.CONDUCT.label
    ANALYSIS = Stage.ANALYSIS.value, Stage.ANALYSIS.label
    DISSEMINATION = Stage.DISSEMINATION.value, Stage.DISSEMINATION.label
    BEYOND = "beyond", "Beyond the project: policy and practice"


class Standard(models.Model):
    """The six UK Standards for Public Involvement (kept as data for filters)."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


def stage_rank() -> Case:
    """Each impact's place in the research, as the stage choices list them (0, 1, ...)."""
    return Case(
        *[When(stage=value, then=Value(i)) for i, value in enumerate(ImpactStage.values)],
        default=Value(len(ImpactStage.values)),
        output_field=IntegerField(),
    )


# The words searched, with their weight in the ranking: what changed counts more than evidence.
# The trigger of migration 0006 builds the same vector: change both together.
SEARCHED_FIELDS = (("what_changed", "A"), ("evidence_text", "B"))
SEARCH_CONFIG = "english"


def search_vector() -> SearchVector:
    """The full-text vector of an impact's searched words, from its columns (PostgreSQL)."""
    parts = [
        SearchVector(name, weight=weight, config=SEARCH_CONFIG) for name, weight in SEARCHED_FIELDS
    ]
    vector = parts[0]
    for part in parts[1:]:
        vector = vector + part
    return vector


class ImpactQuerySet(models.QuerySet):
    def refresh_search_vectors(self) -> int:
        """Rebuild the stored search vector of these impacts in one UPDATE. The database's
        trigger (migration 0006) already keeps it current on every insert and change of the
        searched words, bulk ones included: this is for after changing SEARCHED_FIELDS, or a
        load that turned triggers off. Returns how many rows; on databases without full-text
        search (SQLite) there is no vector, and it does nothing."""
        if connections[self.db].vendor != "postgresql":
            return 0
        return self.update(search_vector=search_vector())

    def by_stage(self, *then: str) -> "ImpactQuerySet":
        """In research stage order (identifying, design, ... beyond), not alphabetically;
        within a stage by `then` (newest first by default)."""
        return self.annotate(stage_rank=stage_rank()).order_by(
            "stage_rank", *(then or ("-recorded_on", "-pk"))
        )

    def visible_to(self, user) -> "ImpactQuerySet":
        """PIE team and manager: all. Researchers: non-confidential projects and their own."""
        if user.has_role(Role.PIE_TEAM, Role.MANAGER):
            return self
        # A subquery, not a join: each impact once, with no DISTINCT to sort every row.
        own = ProjectMembership.objects.filter(user=user).values("project_id")
        return self.filter(Q(project__confidential=False) | Q(project_id__in=own))


class ImpactRecord(models.Model):
    class Kind(models.TextChoices):
        ANTICIPATED = "anticipated", "Anticipated"
        ACTUAL = "actual", "Actual"

    class Category(models.TextChoices):
        QUESTION = "question", "Research question or priorities"
        DESIGN = "design", "Design and methods"
        RECRUITMENT = "recruitment", "Participant information and recruitment"
        TOOLS = "tools", "Data collection tools"
        ANALYSIS = "analysis", "Analysis and interpretation"
        OUTPUTS = "outputs", "Outputs and dissemination"
        POLICY = "policy", "Policy and practice"
        ADVISOR_DEVELOPMENT = "advisor_development", "Advisors' own development"
        RESEARCHER_LEARNING = "researcher_learning", "Researchers' learning"

    class Extent(models.TextChoices):
        MINOR = "minor", "Minor"
        MODERATE = "moderate", "Moderate"
        MAJOR = "major", "Major"

    class Direction(models.TextChoices):
        POSITIVE = "positive", "Positive"
        NEGATIVE = "negative", "Negative"

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="impacts"
    )
    stage = models.CharField(max_length=20, choices=ImpactStage)
    kind = models.CharField(
        "anticipated or actual", max_length=12, choices=Kind, default=Kind.ACTUAL
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="impacts"
    )
    planned_activity = models.ForeignKey(
        "projects.PlannedActivity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="impacts",
        help_text="The planned activity whose anticipated impact this records.",
    )
    what_changed = models.TextField("what changed")
    category = models.CharField(max_length=25, choices=Category)
    extent = models.CharField(max_length=10, choices=Extent, default=Extent.MODERATE)
    direction = models.CharField(
        "positive or negative", max_length=10, choices=Direction, default=Direction.POSITIVE
    )
    evidence_text = models.TextField("evidence", blank=True)
    evidence_file = models.FileField(
        upload_to="impact-evidence/%Y/", storage=private_storage, blank=True
    )
    evidence_link = models.URLField(blank=True)
    contributors = models.ManyToManyField("advisors.Advisor", blank=True, related_name="impacts")
    standards = models.ManyToManyField(
        Standard, blank=True, related_name="impacts", verbose_name="UK Standards"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    # What impact_search matches on PostgreSQL (SEARCHED_FIELDS, weighted): kept current by a
    # trigger on every insert and change of those words, bulk writes included (migration 0006),
    # with a GIN index (0005); both PostgreSQL only, so not in Meta. Empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ImpactQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_on", "-pk"]
        indexes = [
            models.Index(fields=["stage", "category"], name="impacts_stage_category"),
            # The search page's order with no words (ImpactQuerySet.by_stage), read a page at a time.
            models.Index(
                stage_rank(), F("recorded_on").desc(), F("id").desc(), name="impacts_by_stage"
            ),
            models.Index(fields=["recorded_on"], name="impacts_recorded_on"),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_stage_display()} ({self.get_kind_display().lower()})"

    @property
    def evidence_filename(self) -> str:
        """The evidence file's own name, without the folders it is stored in ("" if none)."""
        return os.path.basename(self.evidence_file.name or "")


class AdvisorReflection(models.Model):
    """An advisor's own words on an impact they contributed to ("you said, we did")."""

    impact = models.ForeignKey(ImpactRecord, on_delete=models.CASCADE, related_name="reflections")
    advisor = models.ForeignKey(
        "advisors.Advisor", on_delete=models.CASCADE, related_name="reflections"
    )
    text = models.TextField("your reflection")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["impact", "advisor"],
                name="impacts_one_reflection",
                violation_error_message="This advisor has already written a reflection on this impact.",
            )
        ]

    def __str__(self) -> str:
        return f"Reflection by {self.advisor} on {self.impact}"


class GrippSummary(models.Model):
    """A project's involvement summary in the GRIPP2 short-form shape."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="gripp_summary"
    )
    aim = models.TextField(
        "1. Aim", blank=True, help_text="The aim of public involvement in the study."
    )
    methods = models.TextField("2. Methods", blank=True, help_text="Methods used for involvement.")
    results = models.TextField(
        "3. Results", blank=True, help_text="Outcomes of involvement, positive and negative."
    )
    outcomes = models.TextField(
        "4. Discussion and conclusions",
        blank=True,
        help_text="The extent to which involvement influenced the study overall.",
    )
    reflections = models.TextField(
        "5. Reflections / critical perspective",
        blank=True,
        help_text="What went well, what did not, and what you would do differently.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "GRIPP2 summary"
        verbose_name_plural = "GRIPP2 summaries"

    def __str__(self) -> str:
        return f"GRIPP2 summary: {self.project}"


class Survey(models.Model):
    """An experience survey for advisors: after an activity, or once a year."""

    class Kind(models.TextChoices):
        AFTER_ACTIVITY = "after_activity", "After an activity"
        ANNUAL = "annual", "Annual"

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=15, choices=Kind)
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="surveys"
    )
    opens_on = models.DateField()
    closes_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="impacts_survey_dates",
                violation_error_message="The survey must close on or after the day it opens.",
            )
        ]

    def __str__(self) -> str:
        return self.title


class SurveyResponse(models.Model):
    """One advisor's answers. Anonymous answers have no advisor and no date, so they cannot be
    matched to who answered (the receipt says who, and the receipts' order says when).

    Nothing about a row may follow the order people answered in: the id is random, and
    `survey_responses_shuffle` rewrites a survey's answers in a random order soon after each
    answer and nightly, so neither the database's physical order (SQLite rowid, PostgreSQL
    ctid) nor PostgreSQL's transaction ids (xmin) line up with the receipts. There is no admin
    page for single answers: the feedback results page shows them in aggregate.
    """

    class Scale(models.IntegerChoices):
        STRONGLY_DISAGREE = 1, "Strongly disagree"
        DISAGREE = 2, "Disagree"
        NEUTRAL = 3, "Neither agree nor disagree"
        AGREE = 4, "Agree"
        STRONGLY_AGREE = 5, "Strongly agree"

    class Again(models.TextChoices):
        YES = "yes", "Yes"
        NOT_SURE = "not_sure", "Not sure"
        NO = "no", "No"

    # A random id: counting ids would let receipts (who answered) be matched to responses.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    advisor = models.ForeignKey(
        "advisors.Advisor", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    felt_valued = models.PositiveSmallIntegerField("I felt valued", choices=Scale)
    had_support = models.PositiveSmallIntegerField("I had the support I needed", choices=Scale)
    paid_on_time = models.PositiveSmallIntegerField(
        "I was paid on time", choices=Scale, null=True, blank=True
    )
    take_part_again = models.CharField("Would you take part again?", max_length=10, choices=Again)
    works_well = models.TextField("What works well?", blank=True)
    does_not_work = models.TextField("What does not work so well?", blank=True)
    # Named answers only: an anonymous answer's date would pick out whoever answered alone
    # that day from the reminders or the list of who has answered.
    submitted_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Response to {self.survey}"


class SurveyReceipt(models.Model):
    """That an advisor has answered a survey (so they are not asked twice) — nothing about what."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="receipts")
    advisor = models.ForeignKey("advisors.Advisor", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "advisor"],
                name="impacts_one_response_per_advisor",
                violation_error_message="This advisor has already answered this survey.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.advisor} answered {self.survey}"
