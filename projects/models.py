"""Projects, their PIE plans (versioned), opportunities and outputs."""

from decimal import Decimal

from django.conf import settings
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
            models.UniqueConstraint(fields=["project", "user"], name="projects_one_membership")
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
                fields=["project", "version"], name="projects_plan_version_unique"
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status__in=["draft", "submitted", "changes_requested", "resubmitted"]),
                name="projects_one_open_plan",
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status="approved"),
                name="projects_one_approved_plan",
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

    plan = models.ForeignKey(PIEPlan, on_delete=models.CASCADE, related_name="activities")
    stage = models.CharField(max_length=20, choices=Stage)
    activity_type = models.CharField("type", max_length=20, choices=Type)
    description = models.CharField(max_length=300, blank=True)
    advisors = models.PositiveSmallIntegerField("how many advisors", default=1)
    sessions = models.PositiveSmallIntegerField(default=1)
    hours_per_session = models.DecimalField(
        "hours per advisor per session",
        max_digits=5,
        decimal_places=2,
        help_text="Including preparation and reading.",
    )
    mode = models.CharField("online or in person", max_length=10, choices=Mode, default=Mode.ONLINE)
    planned_date = models.DateField(
        null=True,
        blank=True,
        help_text="When it will happen (first session). The rate in force then is used.",
    )
    expenses_per_advisor = models.DecimalField(
        "expected travel and other expenses per advisor per session (£)",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
    )
    support_cost_per_session = models.DecimalField(
        "support costs per session (£)",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="For example a BSL interpreter, carer cover or large-print papers.",
    )
    enhanced_support_cost = models.DecimalField(
        "extra support for advisors with enhanced needs, whole activity (£)",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
    )
    support_description = models.CharField("what support", max_length=300, blank=True)
    anticipated_impact = models.TextField("What will this involvement do for the research?")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name_plural = "planned activities"
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_session__gt=0), name="projects_activity_hours_positive"
            ),
            models.CheckConstraint(
                condition=Q(expenses_per_advisor__gte=0)
                & Q(support_cost_per_session__gte=0)
                & Q(enhanced_support_cost__gte=0),
                name="projects_activity_costs_non_negative",
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
        "expenses_per_advisor",
        "support_cost_per_session",
        "enhanced_support_cost",
        "support_description",
        "anticipated_impact",
    ]


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


class ExpressionOfInterest(models.Model):
    class Status(models.TextChoices):
        INTERESTED = "interested", "Interested"
        SELECTED = "selected", "Selected"
        NOT_SELECTED = "not_selected", "Not selected this time"
        WITHDRAWN = "withdrawn", "Withdrawn"

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="interests")
    advisor = models.ForeignKey(
        "advisors.Advisor", on_delete=models.CASCADE, related_name="interests"
    )
    note = models.TextField("why you are interested", blank=True)
    support_needed = models.TextField("support you would need", blank=True)
    status = models.CharField(max_length=15, choices=Status, default=Status.INTERESTED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "expressions of interest"
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "advisor"], name="projects_one_interest_per_advisor"
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
                fields=["project", "advisor", "role"], name="projects_one_assignment_per_role"
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

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["output", "advisor"], name="projects_one_credit_per_advisor"
            )
        ]

    def __str__(self) -> str:
        # Named as the advisor chose: full name, initials or anonymously.
        return f"{self.advisor.acknowledged_as()} ({self.get_credit_display()})"
