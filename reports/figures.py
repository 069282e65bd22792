"""The unit's key figures for a period: one place, used by the dashboard and the PDF reports."""

import datetime
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Prefetch, Q, Sum, Value, When
from django.utils import timezone

from advisors.models import Advisor, Training
from advisors.services import equality_summary
from ascru_pie.lib.money import ZERO
from impacts.models import (
    AdvisorReflection,
    ImpactRecord,
    ImpactStage,
    Standard,
    Survey,
    SurveyResponse,
)
from impacts.services import survey_results
from meetings.models import Attendance, Meeting
from payments.models import Claim
from payments.selectors import central_budgets, days_to_pay_by_month, project_budgets
from projects.models import Output, OutputCredit, PIEPlan, PlannedActivity, Project, Stage

from .charts import Bar, bar_chart
from .models import PeriodKind, ReportExample, StandardNarrative

# Attendance that counts as taking part (not absent).
PRESENT = [Attendance.Status.ATTENDED, Attendance.Status.PARTLY]


@dataclass
class Period:
    start: datetime.date
    end: datetime.date
    kind: str = PeriodKind.CALENDAR

    @classmethod
    def calendar_year(cls, year: int) -> "Period":
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @classmethod
    def financial_year(cls, year: int) -> "Period":
        """1 April `year` to 31 March the next year."""
        return cls(datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31), PeriodKind.FINANCIAL)

    @classmethod
    def of(cls, year: int, kind: str) -> "Period":
        return cls.financial_year(year) if kind == PeriodKind.FINANCIAL else cls.calendar_year(year)

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def is_financial(self) -> bool:
        return self.kind == PeriodKind.FINANCIAL

    @property
    def label(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"

    @property
    def name(self) -> str:
        """2026, or 2025 to 2026 for a financial year."""
        return f"{self.year} to {self.year + 1}" if self.is_financial else str(self.year)

    @property
    def title(self) -> str:
        """Annual PIE report 2025 to 2026: 1 April 2025 to 31 March 2026."""
        return f"Annual PIE report {self.name}: {self.label}"


@dataclass
class Figures:
    period: Period
    advisors_active: int = 0
    advisors_involved: int = 0
    hours: Decimal = ZERO
    hours_by_month: list = field(default_factory=list)
    meetings_held: int = 0
    meetings_by_type: list = field(default_factory=list)
    management_held: int = 0
    management_with_advisor: int = 0
    paid_total: Decimal = ZERO
    committed_total: Decimal = ZERO
    claims_paid: int = 0
    median_days_to_pay: float | None = None
    p90_days_to_pay: float | None = None
    days_to_pay_by_month: list = field(default_factory=list)
    budgets: list = field(default_factory=list)
    central: list = field(default_factory=list)
    activity_by_stage: list = field(default_factory=list)
    impacts_by_stage: list = field(default_factory=list)
    feedback: dict = field(default_factory=dict)
    equality: list = field(default_factory=list)

    @property
    def management_share(self) -> int | None:
        return (
            round(100 * self.management_with_advisor / self.management_held)
            if self.management_held
            else None
        )

    @property
    def budget_total(self) -> Decimal:
        return sum((b.budget or ZERO for b in self.budgets), ZERO)

    def charts(self) -> dict[str, str]:
        return {
            "hours": bar_chart(
                title="Advisor hours per month",
                unit=" h",
                chart_id="chart-hours",
                bars=[Bar(f"{m:%b %Y}", float(h)) for m, h in self.hours_by_month],
            ),
            "days_to_pay": bar_chart(
                title="Median days from activity to payment, by month paid",
                unit=" days",
                chart_id="chart-days-to-pay",
                bars=[Bar(f"{r['month']:%b %Y}", r["median"]) for r in self.days_to_pay_by_month],
            ),
            "impacts": bar_chart(
                title="Actual impacts recorded, by research stage",
                chart_id="chart-impacts",
                bars=[Bar(label, n) for label, n in self.impacts_by_stage],
            ),
        }


def key_figures(period: Period) -> Figures:
    """Every figure of the annual report for `period`. A fixed number of queries."""
    f = Figures(period=period)
    f.advisors_active = Advisor.objects.active().count()
    attended = Attendance.objects.filter(
        meeting__starts_at__date__range=(period.start, period.end),
        status__in=PRESENT,
    ).select_related("meeting")
    months: dict[datetime.date, Decimal] = {}
    involved = set()
    for a in attended:
        hours = a.hours_attended + a.preparation_hours
        f.hours += hours
        key = a.meeting.starts_at.date().replace(day=1)
        months[key] = months.get(key, ZERO) + hours
        involved.add(a.advisor_id)
    logged = Claim.objects.filter(
        kind=Claim.Kind.TIME,
        attendance__isnull=True,
        activity_date__range=(period.start, period.end),
    )
    for c in logged.counted():
        f.hours += c.hours or ZERO
        key = c.activity_date.replace(day=1)
        months[key] = months.get(key, ZERO) + (c.hours or ZERO)
        involved.add(c.advisor_id)
    f.hours_by_month = sorted(months.items())
    f.advisors_involved = len(involved)

    # Held: in the period, already over, and not cancelled (meetings still to come are not counted).
    held = Meeting.objects.filter(
        starts_at__date__range=(period.start, period.end), ends_at__lt=timezone.now()
    ).exclude(status=Meeting.Status.CANCELLED)
    f.meetings_held = held.count()
    labels = dict(Meeting.Type.choices)
    f.meetings_by_type = [
        (labels[r["type"]], r["n"])
        for r in held.values("type").annotate(n=Count("pk")).order_by("type")
    ]
    management = held.filter(type=Meeting.Type.MANAGEMENT)
    f.management_held = management.count()
    f.management_with_advisor = (
        management.filter(attendances__status__in=PRESENT).distinct().count()
    )

    claims = Claim.objects.filter(activity_date__range=(period.start, period.end))
    sums = claims.aggregate(
        paid=Sum("amount", filter=Q(status=Claim.Status.PAID)),
        committed=Sum("amount", filter=Q(status__in=Claim.COMMITTED)),
    )
    f.paid_total, f.committed_total = sums["paid"] or ZERO, sums["committed"] or ZERO
    days = [
        (p - a).days
        for a, p in Claim.objects.paid()
        .filter(paid_on__range=(period.start, period.end), reverses__isnull=True)
        .values_list("activity_date", "paid_on")
    ]
    f.claims_paid = len(days)
    if days:
        f.median_days_to_pay = statistics.median(days)
        f.p90_days_to_pay = sorted(days)[max(0, -(-90 * len(days) // 100) - 1)]
    f.days_to_pay_by_month = days_to_pay_by_month(since=period.start, until=period.end)
    f.budgets = [
        b
        for b in project_budgets(projects=Project.objects.exclude(pie_budget__isnull=True))
        if b.budget
    ]
    # The financial year starting in the period's year (April to March): most of a calendar year.
    year_start = datetime.date(period.start.year, 4, 1)
    f.central = central_budgets(year_starting=year_start)

    stage_labels = dict(ImpactStage.choices)
    activity = (
        PlannedActivity.objects.filter(plan__status=PIEPlan.Status.APPROVED)
        .values("stage")
        .annotate(n=Count("pk"), advisors=Sum("advisors"))
        .order_by()
    )
    by_stage = {r["stage"]: r for r in activity}
    f.activity_by_stage = [
        (label, by_stage.get(value, {}).get("n", 0), by_stage.get(value, {}).get("advisors") or 0)
        for value, label in Stage.choices
    ]
    impacts = ImpactRecord.objects.filter(
        kind=ImpactRecord.Kind.ACTUAL, recorded_on__range=(period.start, period.end)
    )
    counts = {
        r["stage"]: r["n"] for r in impacts.values("stage").annotate(n=Count("pk")).order_by()
    }
    f.impacts_by_stage = [(stage_labels[v], counts.get(v, 0)) for v in ImpactStage.values]
    surveys = Survey.objects.filter(opens_on__range=(period.start, period.end))
    f.feedback = (
        survey_results(surveys=surveys)
        if SurveyResponse.objects.filter(survey__in=surveys).exists()
        else {}
    )
    f.equality = equality_summary()
    return f


def stage_order() -> Case:
    """Sorts impacts by research stage as the stage choices list them, not alphabetically."""
    return Case(
        *[When(stage=value, then=Value(i)) for i, value in enumerate(ImpactStage.values)],
        default=Value(len(ImpactStage.values)),
        output_field=IntegerField(),
    )


def equality_table(equality: list[dict]) -> dict:
    """The equality answers as one compact table: a row per answer that at least one group
    gave 5 or more times. Answers fewer than 5 people gave in both groups are left out (the
    note under the table says so), and questions with no row left are named once in a note."""
    rows, all_small = [], []
    for q in equality:
        shown = [
            r
            for r in q["rows"]
            if isinstance(r["applicants"], int) or isinstance(r["register"], int)
        ]
        if not shown:
            all_small.append(q["question"])
        for i, r in enumerate(shown):
            rows.append({"question": q["question"], **r, "first": i == 0, "span": len(shown)})
    return {"rows": rows, "all_small": all_small, "asked": bool(equality)}


@dataclass
class StandardEvidence:
    standard: Standard
    impacts: int
    narrative: str
    examples: list


@dataclass
class Evidence:
    """The annual report's evidence for the UK Standards: the PIE team's narrative and chosen
    examples per standard, and the figures that only the report shows."""

    standards: list = field(default_factory=list)
    reflections: list = field(default_factory=list)
    reflections_written: int = 0
    outputs: list = field(default_factory=list)
    outputs_by_kind: list = field(default_factory=list)
    training_courses: int = 0
    advisors_trained: int = 0
    training_by_course: list = field(default_factory=list)
    advisors_with_support_budget: int = 0
    support_claims: int = 0
    support_committed: Decimal = ZERO
    management: list = field(default_factory=list)
    management_pie_lead: int = 0
    impacts: list = field(default_factory=list)
    equality: dict = field(default_factory=dict)

    def standard(self, code: str) -> StandardEvidence | None:
        return next((s for s in self.standards if s.standard.code == code), None)


CO_CREDITS = [OutputCredit.Credit.CO_AUTHOR, OutputCredit.Credit.CO_PRESENTER]


def annual_evidence(period: Period, *, equality: list[dict] | None = None) -> Evidence:
    """The curated examples and narratives for `period`, and the figures per UK Standard.
    Only examples the PIE team chose appear, each wording once. A fixed number of queries."""
    e = Evidence()
    span = (period.start, period.end)
    e.equality = equality_table(equality if equality is not None else equality_summary())

    impacts = ImpactRecord.objects.filter(kind=ImpactRecord.Kind.ACTUAL, recorded_on__range=span)
    standards = list(
        Standard.objects.annotate(n=Count("impacts", filter=Q(impacts__in=impacts))).order_by(
            "order"
        )
    )
    # The report circulates: the list of impacts leaves out confidential projects.
    e.impacts = list(
        impacts.filter(project__confidential=False)
        .select_related("project")
        .annotate(stage_rank=stage_order())
        .order_by("stage_rank", "recorded_on", "pk")
    )
    examples = ReportExample.objects.for_period(year=period.year, period_kind=period.kind)
    narratives = {
        n.standard_id: n.text
        for n in StandardNarrative.objects.for_period(year=period.year, period_kind=period.kind)
    }
    seen: set[str] = set()
    by_standard: dict[int, list] = {}
    for example in examples.select_related(
        "reflection__impact__project", "impact__project", "output__project"
    ).order_by("order", "pk"):
        words = " ".join(example.text.split()).casefold()
        if words in seen:
            continue
        seen.add(words)
        if example.reflection_id:
            e.reflections.append(example)
        else:
            by_standard.setdefault(example.standard_id, []).append(example)
    e.standards = [
        StandardEvidence(s, s.n, narratives.get(s.pk, ""), by_standard.get(s.pk, []))
        for s in standards
    ]
    e.reflections_written = AdvisorReflection.objects.filter(
        impact__recorded_on__range=span
    ).count()

    credited = OutputCredit.objects.filter(credit__in=CO_CREDITS).select_related("advisor")
    e.outputs = list(
        Output.objects.filter(
            published_on__range=span,
            project__confidential=False,
            credits__credit__in=CO_CREDITS,
        )
        .distinct()
        .select_related("project")
        .prefetch_related(Prefetch("credits", queryset=credited, to_attr="co_credits"))
        .order_by("published_on", "title")
    )
    labels = dict(Output.Kind.choices)
    counts: dict[str, int] = {}
    for o in e.outputs:
        counts[o.kind] = counts.get(o.kind, 0) + 1
    e.outputs_by_kind = [(labels[k], counts[k]) for k in Output.Kind.values if k in counts]

    training = Training.objects.filter(completed_on__range=span)
    by_course = list(training.values("course", "advisor_id").order_by("course"))
    e.training_courses = len(by_course)
    e.advisors_trained = len({r["advisor_id"] for r in by_course})
    courses: dict[str, int] = {}
    for r in by_course:
        courses[r["course"]] = courses.get(r["course"], 0) + 1
    e.training_by_course = sorted(courses.items(), key=lambda c: (-c[1], c[0]))
    e.advisors_with_support_budget = (
        Advisor.objects.active().filter(support_budget__isnull=False).count()
    )
    support = (
        Claim.objects.committed()
        .filter(
            kind=Claim.Kind.EXPENSE,
            activity_date__range=span,
            project__isnull=True,
            meeting__isnull=True,
        )
        .aggregate(n=Count("pk"), total=Sum("amount"))
    )
    e.support_claims, e.support_committed = support["n"], support["total"] or ZERO

    e.management = list(
        Meeting.objects.filter(
            type=Meeting.Type.MANAGEMENT, starts_at__date__range=span, ends_at__lt=timezone.now()
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .annotate(advisors_present=Count("attendances", filter=Q(attendances__status__in=PRESENT)))
        .order_by("starts_at")
    )
    e.management_pie_lead = sum(1 for m in e.management if m.pie_lead_present)
    return e


def _short(text: str, words: int = 16) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def evidence_candidates(period: Period) -> dict[int, list]:
    """For each standard, the records the PIE team may choose as examples (grouped choices:
    impacts linked to it, other impacts, advisors' reflections, co-produced outputs), in the
    period, from projects that are not confidential, leaving out records already chosen."""
    span = (period.start, period.end)
    chosen = ReportExample.objects.for_period(year=period.year, period_kind=period.kind)
    used = {
        kind: set(chosen.exclude(**{f"{kind}__isnull": True}).values_list(kind, flat=True))
        for kind in ("impact", "reflection", "output")
    }
    impacts = list(
        ImpactRecord.objects.filter(recorded_on__range=span, project__confidential=False)
        .exclude(pk__in=used["impact"])
        .select_related("project")
        .prefetch_related("standards")
        .annotate(stage_rank=stage_order())
        .order_by("stage_rank", "recorded_on", "pk")
    )
    reflections = [
        (
            f"reflection:{r.pk}",
            f"{r.impact.project.title} · {r.impact.get_stage_display()}: {_short(r.text)}",
        )
        for r in AdvisorReflection.objects.filter(
            impact__recorded_on__range=span, impact__project__confidential=False
        )
        .exclude(pk__in=used["reflection"])
        .select_related("impact__project")
        .order_by("impact__recorded_on", "pk")
    ]
    outputs = [
        (f"output:{o.pk}", f"{o.get_kind_display()} · {o.project.title}: {_short(o.title)}")
        for o in Output.objects.filter(
            published_on__range=span, project__confidential=False, credits__credit__in=CO_CREDITS
        )
        .exclude(pk__in=used["output"])
        .distinct()
        .select_related("project")
        .order_by("published_on", "title")
    ]

    def label(i: ImpactRecord) -> str:
        return f"{i.project.title} · {i.get_stage_display()}: {_short(i.what_changed)}"

    result = {}
    for s in Standard.objects.order_by("order"):
        linked = [(f"impact:{i.pk}", label(i)) for i in impacts if s in i.standards.all()]
        other = [(f"impact:{i.pk}", label(i)) for i in impacts if s not in i.standards.all()]
        groups = [
            ("Impacts linked to this standard", linked),
            ("Other impacts", other),
            ("Advisors' reflections", reflections),
            ("Co-produced outputs", outputs),
        ]
        result[s.pk] = [(name, choices) for name, choices in groups if choices]
    return result
