"""Projects, their PIE plans (versioned), opportunities and outputs."""

import calendar
import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ascru_pie.roles import Role


class Stage(models.TextChoices):
    """Research stages, in order: plans and impacts are organised by them."""

    IDENTIFYING = "identifying", "Identifying and prioritising"
    DESIGN = "design", "Design"
    CONDUCT = "conduct", "Conduct / data collection"
    ANALYSIS = "analysis", "Analysis"
    DISSEMINATION = "dissemination", "Dissemination and implementation"


class ProjectQuerySet(models.QuerySet):
    def for_user(self, user) -> "ProjectQuerySet":
        """Projects a person may see: all for the PIE team, their own for researchers."""
        if user.has_role(Role.PIE_TEAM):
            return self
        return self.filter(memberships__user=user).distinct()


class Project(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"

    title = models.CharField(max_length=200)
    summary = models.TextField("plain-English summary", blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ProjectMembership", blank=True, related_name="projects"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PLANNED)
    confidential = models.BooleanField(
        default=False,
        help_text="Only the project team, the PIE team and the Unit Manager see its impacts.",
    )
    pie_budget = models.DecimalField(
        "PIE budget (£)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
        help_text="Set when a PIE plan is approved.",
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="projects_ends_after_start",
                violation_error_message="The project's end date must be on or after its start date.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_member(self, user) -> bool:
        return self.memberships.filter(user=user).exists()


class ProjectMembership(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "Lead researcher"
        MEMBER = "member", "Team member"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships"
    )
    role = models.CharField(max_length=10, choices=Role, default=Role.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"],
                name="projects_one_membership",
                violation_error_message="This person is already on the project's team.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


class PIEPlan(models.Model):
    """One version of a project's PIE plan. Approved versions are never edited again."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        RESUBMITTED = "resubmitted", "Resubmitted"
        APPROVED = "approved", "Approved"
        SUPERSEDED = "superseded", "Superseded"

    OPEN = [Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.RESUBMITTED]
    EDITABLE = [Status.DRAFT, Status.CHANGES_REQUESTED]
    IN_REVIEW = [Status.SUBMITTED, Status.RESUBMITTED]

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveIntegerField(default=1)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    recognition = models.TextField(
        "recognition plans",
        blank=True,
        help_text="Co-authorship, co-presentation and how advisors will be acknowledged.",
    )
    support_and_training = models.TextField(
        "support and training", blank=True, help_text="How advisors will be supported and trained."
    )
    # The budget as computed when the plan was last submitted or approved (never typed).
    budget_total = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    # The whole budget as priced at approval (projects.budget.budget_snapshot): an approved
    # or superseded version shows this, never a re-pricing at today's rates.
    approved_budget = models.JSONField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["project", "-version"]
        verbose_name = "PIE plan"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "version"],
                name="projects_plan_version_unique",
                violation_error_message="This project already has a plan with that version number.",
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status__in=["draft", "submitted", "changes_requested", "resubmitted"]),
                name="projects_one_open_plan",
                violation_error_message=(
                    "This project already has a plan being written or reviewed. "
                    "Finish that one first."
                ),
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status="approved"),
                name="projects_one_approved_plan",
                violation_error_message="This project already has an approved plan.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} – plan v{self.version} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def in_review(self) -> bool:
        return self.status in self.IN_REVIEW

    @property
    def is_decided(self) -> bool:
        """Approved (or approved and later superseded): its budget is the one approved."""
        return self.status in (self.Status.APPROVED, self.Status.SUPERSEDED)

    def priced_on(self, today: datetime.date) -> datetime.date:
        """The day undated sessions are priced on: the submission day once submitted
        (what the reviewer sees is what approval stores), else today."""
        if self.submitted_at and not self.is_editable:
            return timezone.localtime(self.submitted_at).date()
        return today


# Bounds on what a planned activity may ask for. Each one is far above any real PIE plan, and
# together they keep every computed total well inside the money columns (max_digits=12).
MAX_ADVISORS = 100
MAX_SESSIONS = 200
MAX_HOURS_PER_SESSION = Decimal("24")
MAX_EXPENSES_PER_ADVISOR = Decimal("2000.00")
MAX_SUPPORT_COST_PER_SESSION = Decimal("5000.00")
MAX_ENHANCED_SUPPORT_COST = Decimal("50000.00")
MAX_ACTIVITIES_PER_STAGE = 30


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the last day of that month if it is shorter (31 Jan → 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


class PlannedActivity(models.Model):
    class Type(models.TextChoices):
        ADVISORY_GROUP = "advisory_group", "Advisory group meeting"
        WORKSHOP = "workshop", "Workshop"
        DOCUMENT_REVIEW = "document_review", "Document review"
        CO_ANALYSIS = "co_analysis", "Co-analysis"
        CO_PRESENTATION = "co_presentation", "Co-presentation"
        CO_AUTHORSHIP = "co_authorship", "Co-authorship"
        TRAINING = "training", "Training"
        OTHER = "other", "Other"

    class Mode(models.TextChoices):
        ONLINE = "online", "Online"
        IN_PERSON = "in_person", "In person"
        HYBRID = "hybrid", "Both"

    class Frequency(models.TextChoices):
        """How an activity's sessions follow its first one: each session is priced at the
        rate in force on its own date."""

        SAME_DAY = "same_day", "All on the same day"
        WEEKLY = "weekly", "Every week"
        FORTNIGHTLY = "fortnightly", "Every two weeks"
        MONTHLY = "monthly", "Every month"
        QUARTERLY = "quarterly", "Every three months"

    plan = models.ForeignKey(PIEPlan, on_delete=models.CASCADE, related_name="activities")
    # The same activity in every version of the plan: a new version copies it, and impacts
    # recorded against one version's activity still count for the next.
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    stage = models.CharField(max_length=20, choices=Stage)
    activity_type = models.CharField("type", max_length=20, choices=Type)
    description = models.CharField(max_length=300, blank=True)
    advisors = models.PositiveSmallIntegerField(
        "how many advisors",
        default=1,
        validators=[
            MinValueValidator(1, "At least one advisor takes part."),
            MaxValueValidator(
                MAX_ADVISORS,
                f"An activity can have at most {MAX_ADVISORS} advisors. "
                "For more, add it as two activities.",
            ),
        ],
    )
    sessions = models.PositiveSmallIntegerField(
        default=1,
        validators=[
            MinValueValidator(1, "Plan at least one session."),
            MaxValueValidator(
                MAX_SESSIONS,
                f"An activity can have at most {MAX_SESSIONS} sessions. "
                "For more, add it as two activities.",
            ),
        ],
    )
    hours_per_session = models.DecimalField(
        "hours per advisor per session",
        max_digits=5,
        decimal_places=2,
        help_text="Including preparation and reading.",
        validators=[
            MaxValueValidator(
                MAX_HOURS_PER_SESSION,
                "Hours per session must be more than 0 and no more than 24.",
            )
        ],
    )
    mode = models.CharField("online or in person", max_length=10, choices=Mode, default=Mode.ONLINE)
    planned_date = models.DateField(
        null=True,
        blank=True,
        help_text="When the first session will happen. Each session is paid at the rate in force on its day.",
    )
    frequency = models.CharField(
        "how often, if there is more than one session",
        max_length=12,
        choices=Frequency,
        default=Frequency.MONTHLY,
    )
    expenses_per_advisor = models.DecimalField(
        "expected travel and other expenses per advisor per session (£)",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[
            MinValueValidator(0, "Expenses cannot be less than £0."),
            MaxValueValidator(
                MAX_EXPENSES_PER_ADVISOR,
                f"Expenses can be at most £{MAX_EXPENSES_PER_ADVISOR:,} per advisor per session.",
            ),
        ],
    )
    support_cost_per_session = models.DecimalField(
        "support costs per session (£)",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="For example a BSL interpreter, carer cover or large-print papers.",
        validators=[
            MinValueValidator(0, "Support costs cannot be less than £0."),
            MaxValueValidator(
                MAX_SUPPORT_COST_PER_SESSION,
                f"Support costs can be at most £{MAX_SUPPORT_COST_PER_SESSION:,} per session.",
            ),
        ],
    )
    enhanced_support_cost = models.DecimalField(
        "extra support for advisors with enhanced needs, whole activity (£)",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[
            MinValueValidator(0, "Extra support cannot be less than £0."),
            MaxValueValidator(
                MAX_ENHANCED_SUPPORT_COST,
                f"Extra support can be at most £{MAX_ENHANCED_SUPPORT_COST:,} for the whole activity.",
            ),
        ],
    )
    support_description = models.CharField("what support", max_length=300, blank=True)
    anticipated_impact = models.TextField("What will this involvement do for the research?")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name_plural = "planned activities"
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_session__gt=0),
                name="projects_activity_hours_positive",
                violation_error_message="Hours per session must be more than 0 and no more than 24.",
            ),
            models.CheckConstraint(
                condition=Q(expenses_per_advisor__gte=0)
                & Q(support_cost_per_session__gte=0)
                & Q(enhanced_support_cost__gte=0),
                name="projects_activity_costs_non_negative",
                violation_error_message="Expenses and support costs cannot be less than £0.",
            ),
            # The same bounds as the fields' validators, for any path that skips full_clean().
            models.CheckConstraint(
                condition=Q(advisors__gte=1, advisors__lte=MAX_ADVISORS)
                & Q(sessions__gte=1, sessions__lte=MAX_SESSIONS)
                & Q(hours_per_session__lte=MAX_HOURS_PER_SESSION)
                & Q(expenses_per_advisor__lte=MAX_EXPENSES_PER_ADVISOR)
                & Q(support_cost_per_session__lte=MAX_SUPPORT_COST_PER_SESSION)
                & Q(enhanced_support_cost__lte=MAX_ENHANCED_SUPPORT_COST),
                name="projects_activity_numbers_in_range",
                violation_error_message=(
                    f"An activity can have 1 to {MAX_ADVISORS} advisors and 1 to {MAX_SESSIONS} "
                    "sessions of up to 24 hours, with expenses of up to "
                    f"£{MAX_EXPENSES_PER_ADVISOR:,} per advisor per session, support of up to "
                    f"£{MAX_SUPPORT_COST_PER_SESSION:,} per session and extra support of up to "
                    f"£{MAX_ENHANCED_SUPPORT_COST:,}."
                ),
            ),
            models.UniqueConstraint(
                fields=["plan", "key"],
                name="projects_activity_key_once_per_plan",
                violation_error_message="That activity is already in this version of the plan.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_activity_type_display()} ({self.get_stage_display()})"

    # Fields that make up an activity, for copying to a new version and for diffs.
    CONTENT_FIELDS = [
        "stage",
        "activity_type",
        "description",
        "advisors",
        "sessions",
        "hours_per_session",
        "mode",
        "planned_date",
        "frequency",
        "expenses_per_advisor",
        "support_cost_per_session",
        "enhanced_support_cost",
        "support_description",
        "anticipated_impact",
    ]

    def session_dates(self, *, first: datetime.date | None = None) -> list[datetime.date]:
        """The day of each session: the first on `planned_date` (or `first` when it has none),
        the rest following at the activity's frequency."""
        start = self.planned_date or first
        if start is None:
            return []
        step = {
            self.Frequency.SAME_DAY: lambda n: start,
            self.Frequency.WEEKLY: lambda n: start + datetime.timedelta(weeks=n),
            self.Frequency.FORTNIGHTLY: lambda n: start + datetime.timedelta(weeks=2 * n),
            self.Frequency.MONTHLY: lambda n: _add_months(start, n),
            self.Frequency.QUARTERLY: lambda n: _add_months(start, 3 * n),
        }[self.frequency]
        return [step(n) for n in range(self.sessions)]


class ReviewComment(models.Model):
    """A reviewer's comment on one section of a plan version when asking for changes."""

    GENERAL = "general"
    RECOGNITION = "recognition"
    SUPPORT = "support"
    SECTIONS = [
        (GENERAL, "The plan as a whole"),
        *Stage.choices,
        (RECOGNITION, "Recognition plans"),
        (SUPPORT, "Support and training"),
    ]

    plan = models.ForeignKey(PIEPlan, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(max_length=20, choices=SECTIONS)
    comment = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_section_display()}: {self.comment[:40]}"


class PlanEvent(models.Model):
    """Who moved a plan from which status to which, and when."""

    plan = models.ForeignKey(PIEPlan, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=PIEPlan.Status, blank=True)
    to_status = models.CharField(max_length=20, choices=PIEPlan.Status)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status} by {self.by} at {self.at:%d %b %Y %H:%M}"


class OpportunityQuerySet(models.QuerySet):
    def open(self) -> "OpportunityQuerySet":
        return self.filter(status=Opportunity.Status.OPEN, closing_date__gte=timezone.localdate())

    def awaiting_selection(self) -> "OpportunityQuerySet":
        """Closed (or past closing) or with someone interested, and nobody selected yet."""
        active = ~Q(interests__status=ExpressionOfInterest.Status.WITHDRAWN)
        closed = Q(status=Opportunity.Status.CLOSED) | Q(closing_date__lt=timezone.localdate())
        return (
            self.annotate(
                n_waiting=models.Count(
                    "interests", filter=Q(interests__status=ExpressionOfInterest.Status.INTERESTED)
                ),
                n_interested=models.Count("interests", filter=active),
                n_chosen=models.Count(
                    "interests", filter=Q(interests__status=ExpressionOfInterest.Status.SELECTED)
                ),
            )
            .filter(n_chosen=0)
            .filter(closed | Q(n_waiting__gt=0))
        )


class Opportunity(models.Model):
    """An involvement opportunity advisors can express interest in."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="opportunities"
    )
    role = models.CharField("role", max_length=200)
    description = models.TextField("what it involves")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    time_commitment = models.CharField(
        max_length=200, help_text="e.g. three 2-hour online meetings"
    )
    payment = models.CharField(
        max_length=200, help_text="e.g. paid at NIHR rates, expenses covered"
    )
    access_information = models.TextField(blank=True)
    closing_date = models.DateField()
    places = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["closing_date", "pk"]
        verbose_name_plural = "opportunities"

    def __str__(self) -> str:
        return self.role

    @property
    def is_open(self) -> bool:
        """Open and not past its closing date (as Opportunity.objects.open())."""
        return self.status == self.Status.OPEN and self.closing_date >= timezone.localdate()


class InterestQuerySet(models.QuerySet):
    def to_tell_by_hand(self) -> "InterestQuerySet":
        """Decisions the coordinator still has to phone or post: the call/post list."""
        return self.filter(
            status__in=ExpressionOfInterest.DECIDED,
            told_how__in=[ExpressionOfInterest.ToldHow.CALL, ExpressionOfInterest.ToldHow.POST],
            told_at=None,
        )


class ExpressionOfInterest(models.Model):
    class Status(models.TextChoices):
        INTERESTED = "interested", "Interested"
        SELECTED = "selected", "Selected"
        NOT_SELECTED = "not_selected", "Not selected this time"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class ToldHow(models.TextChoices):
        """How the advisor hears the decision: by email, or the coordinator phones or writes."""

        EMAIL = "email", "By email"
        CALL = "call", "To phone (on the coordinator's list)"
        POST = "post", "To write to (on the coordinator's list)"

    DECIDED = [Status.SELECTED, Status.NOT_SELECTED]

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="interests")
    advisor = models.ForeignKey(
        "advisors.Advisor", on_delete=models.CASCADE, related_name="interests"
    )
    note = models.TextField("why you are interested", blank=True)
    support_needed = models.TextField("support you would need", blank=True)
    status = models.CharField(max_length=15, choices=Status, default=Status.INTERESTED)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # How the decision reaches them, and when it did (an email when sent; a call or letter
    # when the coordinator ticks it off). Empty again when a selection is undone.
    told_how = models.CharField(max_length=10, choices=ToldHow, blank=True)
    told_at = models.DateTimeField(null=True, blank=True)

    objects = InterestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "expressions of interest"
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "advisor"],
                name="projects_one_interest_per_advisor",
                violation_error_message="This advisor has already said they are interested.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.advisor} – {self.opportunity}"

    @property
    def answer_words(self) -> str:
        """Where the advisor's interest stands, as their portal says it to them."""
        return {
            self.Status.INTERESTED: "You said you are interested",
            self.Status.SELECTED: "You have been selected",
            self.Status.NOT_SELECTED: "Not selected this time",
            self.Status.WITHDRAWN: "You withdrew your interest",
        }[self.status]


class SelectionEvent(models.Model):
    """Who selected, turned down or undid the selection of whom, when, and why (the audit)."""

    class Action(models.TextChoices):
        SELECTED = "selected", "Selected"
        NOT_SELECTED = "not_selected", "Not selected"
        UNDONE = "undone", "Selection undone"
        TOLD = "told", "Told the decision"

    interest = models.ForeignKey(
        ExpressionOfInterest, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(max_length=15, choices=Action)
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.by} at {self.at:%d %b %Y %H:%M}"


class ProjectAdvisor(models.Model):
    """An advisor assigned to a project, with a role."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="advisor_assignments"
    )
    advisor = models.ForeignKey(
        "advisors.Advisor", on_delete=models.PROTECT, related_name="project_assignments"
    )
    role = models.CharField(max_length=200)
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["project", "advisor"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "advisor", "role"],
                name="projects_one_assignment_per_role",
                violation_error_message="This advisor already has that role on the project.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.advisor} – {self.role} on {self.project}"


class Output(models.Model):
    class Kind(models.TextChoices):
        PAPER = "paper", "Paper"
        REPORT = "report", "Report"
        PRESENTATION = "presentation", "Presentation"
        BLOG = "blog", "Blog"
        POLICY_BRIEF = "policy_brief", "Policy brief"
        OTHER = "other", "Other"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(max_length=20, choices=Kind)
    title = models.CharField(max_length=300)
    published_on = models.DateField(null=True, blank=True)
    link = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_on", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        """Published (or presented) once it has a date: from then on its credits keep the names
        the advisors chose at the time (OutputCredit.named_as), whatever they choose later."""
        return self.published_on is not None


class OutputCredit(models.Model):
    class Credit(models.TextChoices):
        CO_AUTHOR = "co_author", "Co-author"
        CO_PRESENTER = "co_presenter", "Co-presenter"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"

    output = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="credits")
    advisor = models.ForeignKey(
        "advisors.Advisor", on_delete=models.PROTECT, related_name="output_credits"
    )
    credit = models.CharField(max_length=15, choices=Credit)
    # The name as credited when the output was published (full name, initials or "A Public
    # Advisor", as the advisor chose then). A later change of choice applies to outputs
    # published after it, not to this one. Drafts follow the current choice (see `name`).
    named_as = models.CharField("named as", max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["output", "advisor"],
                name="projects_one_credit_per_advisor",
                violation_error_message="This advisor is already credited on this output.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_credit_display()})"

    @property
    def name(self) -> str:
        """How the advisor is named on this output: as they chose when it was published, or,
        while it is unpublished, as they choose now (full name, initials or anonymously)."""
        if self.output.is_published and self.named_as:
            return self.named_as
        return self.advisor.acknowledged_as()
