"""The unit's key figures for a period: one place, used by the dashboard and the PDF reports."""

import datetime
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from advisors.models import Advisor
from advisors.services import equality_summary
from ascru_pie.lib.money import ZERO
from impacts.models import ImpactRecord, ImpactStage, Standard, Survey, SurveyResponse
from impacts.services import survey_results
from meetings.models import Attendance, Meeting
from payments.models import Claim
from payments.selectors import central_budgets, days_to_pay_by_month, project_budgets
from projects.models import PIEPlan, PlannedActivity, Project, Stage

from .charts import Bar, bar_chart

# Attendance that counts as taking part (not absent).
PRESENT = [Attendance.Status.ATTENDED, Attendance.Status.PARTLY]


@dataclass
class Period:
    start: datetime.date
    end: datetime.date

    @classmethod
    def calendar_year(cls, year: int) -> "Period":
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @property
    def label(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


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
    impact_examples: list = field(default_factory=list)
    feedback: dict = field(default_factory=dict)
    equality: list = field(default_factory=list)
    standards: list = field(default_factory=list)

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
    # The annual report circulates: examples come only from projects that are not confidential.
    public = impacts.filter(project__confidential=False)
    f.impact_examples = list(
        public.filter(extent="major").select_related("project").order_by("-recorded_on")[:6]
    )
    surveys = Survey.objects.filter(opens_on__range=(period.start, period.end))
    f.feedback = (
        survey_results(surveys=surveys)
        if SurveyResponse.objects.filter(survey__in=surveys).exists()
        else {}
    )
    f.equality = equality_summary()
    evidence = Standard.objects.annotate(
        n=Count("impacts", filter=Q(impacts__in=impacts))
    ).order_by("order")
    examples = {}
    for impact in (
        public.prefetch_related("standards").select_related("project").order_by("-recorded_on")[:60]
    ):
        for s in impact.standards.all():
            examples.setdefault(s.pk, impact)
    f.standards = [(s.name, s.n, examples.get(s.pk)) for s in evidence]
    return f
