"""The unit's key figures for a period: one place, used by the dashboard and the PDF reports."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone

from advisors.models import Advisor, Training
from advisors.services import equality_summary
from ascru_pie.lib.money import PENNY, ZERO, to_money
from impacts.models import (
    AdvisorReflection,
    ImpactRecord,
    ImpactStage,
    Standard,
    Survey,
)
from impacts.services import survey_results
from meetings.models import Attendance, Meeting
from payments.models import Claim
from payments.selectors import BudgetStatus, central_budgets
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
    # Projects with a PIE budget: every one counted in the totals; `budgets` lists them all
    # (PDF) or those nearest their budget (dashboard).
    budgets: list = field(default_factory=list)
    budget_count: int = 0
    budget_total: Decimal = ZERO
    budget_committed: Decimal = ZERO
    budget_paid: Decimal = ZERO
    budgets_over: int = 0
    budgets_near: int = 0
    central: list = field(default_factory=list)
    activity_by_stage: list = field(default_factory=list)
    impacts_by_stage: list = field(default_factory=list)
    feedback: dict = field(default_factory=dict)
    equality: list = field(default_factory=list)
    worked_out_at: datetime.datetime | None = None

    @property
    def management_share(self) -> int | None:
        return (
            round(100 * self.management_with_advisor / self.management_held)
            if self.management_held
            else None
        )

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


def key_figures(period: Period, *, budgets_shown: int | None = None) -> Figures:
    """Every figure of the annual report for `period`, each worked out by the database
    (sums, counts and grouped rows bounded by months, meetings and choices, never one
    object per attendance or claim). A fixed number of queries.

    `budgets_shown`: list only that many project budgets, those nearest their budget (the
    dashboard); None lists every project with a PIE budget (the PDF). The totals always
    cover every project."""
    f = Figures(period=period)
    span = (period.start, period.end)
    attended = Attendance.objects.filter(meeting__starts_at__date__range=span, status__in=PRESENT)
    logged = Claim.objects.counted().filter(
        kind=Claim.Kind.TIME, attendance__isnull=True, activity_date__range=span
    )
    advisors = Advisor.objects.aggregate(
        active=Count("pk", filter=Q(status=Advisor.Status.ACTIVE)),
        involved=Count(
            "pk",
            filter=Q(pk__in=attended.values("advisor_id")) | Q(pk__in=logged.values("advisor_id")),
        ),
    )
    f.advisors_active, f.advisors_involved = advisors["active"], advisors["involved"]
    _hours(f, attended=attended, logged=logged)
    _meetings(f)

    claims = Claim.objects.filter(activity_date__range=span).aggregate(
        paid=Sum("amount", filter=Q(status=Claim.Status.PAID)),
        committed=Sum("amount", filter=Q(status__in=Claim.COMMITTED)),
    )
    f.paid_total = to_money(claims["paid"] or ZERO)
    f.committed_total = to_money(claims["committed"] or ZERO)
    _days_to_pay(f)
    _budgets(f, shown=budgets_shown)
    # The financial year starting in the period's year (April to March): most of a calendar year.
    f.central = central_budgets(year_starting=datetime.date(period.start.year, 4, 1))

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
    impacts = ImpactRecord.objects.filter(kind=ImpactRecord.Kind.ACTUAL, recorded_on__range=span)
    counts = {
        r["stage"]: r["n"] for r in impacts.values("stage").annotate(n=Count("pk")).order_by()
    }
    stage_labels = dict(ImpactStage.choices)
    f.impacts_by_stage = [(stage_labels[v], counts.get(v, 0)) for v in ImpactStage.values]
    feedback = survey_results(surveys=Survey.objects.filter(opens_on__range=span))
    f.feedback = feedback if feedback["n"] else {}
    f.equality = equality_summary()
    f.worked_out_at = timezone.now()
    return f


def _hours(f: Figures, *, attended, logged) -> None:
    """Hours in the period and by month: time at meetings (each attendance's own hours, as
    Attendance.hours_attended rounds them), preparation, and time logged without a meeting.
    One row per meeting (and per distinct minutes of partial attendance), not per attendance."""
    months: dict[datetime.date, Decimal] = defaultdict(lambda: ZERO)
    rows = (
        attended.values("meeting__starts_at", "meeting__ends_at", "status", "minutes_attended")
        .annotate(n=Count("pk"), preparation=Sum("preparation_hours"))
        .order_by()
    )
    for r in rows:
        if r["status"] == Attendance.Status.PARTLY:
            each = (Decimal(r["minutes_attended"] or 0) / Decimal(60)).quantize(PENNY)
        else:
            seconds = Decimal((r["meeting__ends_at"] - r["meeting__starts_at"]).total_seconds())
            each = (seconds / Decimal(3600)).quantize(PENNY)
        month = timezone.localtime(r["meeting__starts_at"]).date().replace(day=1)
        months[month] += each * r["n"] + to_money(r["preparation"] or ZERO)
    for r in (
        logged.annotate(month=TruncMonth("activity_date"))
        .values("month")
        .annotate(hours=Sum("hours"))
        .order_by()
    ):
        months[r["month"]] += to_money(r["hours"] or ZERO)
    f.hours_by_month = sorted(months.items())
    f.hours = sum(months.values(), ZERO)


def _meetings(f: Figures) -> None:
    """Held: in the period, already over, and not cancelled (meetings still to come are not
    counted). One grouped query gives the totals, the count by type and the Management Group
    meetings an advisor took part in."""
    held = Meeting.objects.filter(
        starts_at__date__range=(f.period.start, f.period.end), ends_at__lt=timezone.now()
    ).exclude(status=Meeting.Status.CANCELLED)
    rows = (
        held.values("type")
        .annotate(
            n=Count("pk", distinct=True),
            with_advisor=Count("pk", distinct=True, filter=Q(attendances__status__in=PRESENT)),
        )
        .order_by("type")
    )
    labels = dict(Meeting.Type.choices)
    for r in rows:
        f.meetings_by_type.append((labels[r["type"]], r["n"]))
        f.meetings_held += r["n"]
        if r["type"] == Meeting.Type.MANAGEMENT:
            f.management_held, f.management_with_advisor = r["n"], r["with_advisor"]


def _nth(histogram: list[tuple[int, int]], k: int) -> int:
    """The k-th (0-based) value of a sorted list given as (value, how many) pairs."""
    for value, n in histogram:
        if k < n:
            return value
        k -= n
    raise IndexError(k)


def _median(histogram: list[tuple[int, int]], total: int) -> float:
    """As statistics.median: the middle value, or the mean of the two middle values."""
    if total % 2:
        return _nth(histogram, total // 2)
    return (_nth(histogram, total // 2 - 1) + _nth(histogram, total // 2)) / 2


def _rank(total: int, pct: int) -> int:
    """Nearest rank (1-based), as finance reports percentiles (payments.selectors)."""
    return max(1, -(-pct * total // 100))


def _days_to_pay(f: Figures) -> None:
    """Days from the activity to payment for claims paid in the period (corrections left out):
    the median and 90th percentile overall and by month paid. The database counts claims by
    (month paid, days taken), so the rows are bounded by months x distinct day counts."""
    rows = (
        Claim.objects.paid()
        .filter(paid_on__range=(f.period.start, f.period.end), reverses__isnull=True)
        .annotate(
            month=TruncMonth("paid_on"),
            taken=ExpressionWrapper(F("paid_on") - F("activity_date"), DurationField()),
        )
        .values("month", "taken")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_month: dict[datetime.date, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    overall: dict[int, int] = defaultdict(int)
    for r in rows:
        days = r["taken"].days
        by_month[r["month"]][days] += r["n"]
        overall[days] += r["n"]
    f.claims_paid = sum(overall.values())
    if f.claims_paid:
        histogram = sorted(overall.items())
        f.median_days_to_pay = _median(histogram, f.claims_paid)
        f.p90_days_to_pay = _nth(histogram, _rank(f.claims_paid, 90) - 1)
    target = settings.PAYMENT_TARGET_DAYS
    for month, days in sorted(by_month.items()):
        histogram, count = sorted(days.items()), sum(days.values())
        f.days_to_pay_by_month.append(
            {
                "month": month,
                "count": count,
                "median": _median(histogram, count),
                "p90": float(_nth(histogram, _rank(count, 90) - 1)),
                "on_target": sum(n for d, n in histogram if 0 <= d <= target),
            }
        )


def _budgets(f: Figures, *, shown: int | None) -> None:
    """Projects with a PIE budget: the totals (and how many are over or nearly spent), and
    the list, nearest their budget first when only some are shown. The database adds up the
    claims in one pass (a row per project, not per claim); the rest is per project."""
    budgeted = Project.objects.filter(pie_budget__gt=0)
    sums = {
        r["project"]: r
        for r in Claim.objects.committed()
        .filter(project__in=budgeted)
        .values("project")
        .annotate(committed=Sum("amount"), paid=Sum("amount", filter=Q(status=Claim.Status.PAID)))
        .order_by()
    }
    rows = [
        BudgetStatus(
            title,
            budget,
            to_money(sums.get(pk, {}).get("committed") or ZERO),
            to_money(sums.get(pk, {}).get("paid") or ZERO),
            project_id=pk,
        )
        for pk, title, budget in budgeted.values_list("pk", "title", "pie_budget")
    ]
    f.budget_count = len(rows)
    f.budget_total = to_money(sum((b.budget for b in rows), ZERO))
    f.budget_committed = to_money(sum((b.committed for b in rows), ZERO))
    f.budget_paid = to_money(sum((b.paid for b in rows), ZERO))
    f.budgets_over = sum(1 for b in rows if b.warning == "over")
    f.budgets_near = sum(1 for b in rows if b.warning == "near")
    if shown is None:
        f.budgets = rows  # by title (Project's ordering)
    else:
        f.budgets = sorted(rows, key=lambda b: (-(b.committed / b.budget), b.name, b.project_id))[
            :shown
        ]


# How long the dashboard keeps the figures it worked out, and how many project budgets it lists.
FIGURES_CACHE_SECONDS = 300
BUDGETS_SHOWN = 10


def dashboard_figures(period: Period) -> Figures:
    """The key figures as the dashboard shows them: worked out at most every
    FIGURES_CACHE_SECONDS per period (the page says when), with the budgets nearest their
    limit listed. The PDF reports always work theirs out afresh."""
    key = f"reports:figures:v1:{period.kind}:{period.start.isoformat()}"
    figures = cache.get(key)
    if figures is None:
        figures = key_figures(period, budgets_shown=BUDGETS_SHOWN)
        cache.set(key, figures, FIGURES_CACHE_SECONDS)
    return figures


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
    outputs_total: int = 0
    outputs_by_kind: list = field(default_factory=list)
    training_courses: int = 0
    advisors_trained: int = 0
    training_by_course: list = field(default_factory=list)
    advisors_with_support_budget: int = 0
    support_claims: int = 0
    support_committed: Decimal = ZERO
    management: list = field(default_factory=list)
    management_pie_lead: int = 0
    # Actual impacts (confidential projects left out) counted by stage and kind of change.
    impacts: list = field(default_factory=list)
    impacts_listed: int = 0
    impacts_projects: int = 0
    equality: dict = field(default_factory=dict)

    def standard(self, code: str) -> StandardEvidence | None:
        return next((s for s in self.standards if s.standard.code == code), None)

    @property
    def outputs_more(self) -> int:
        """Co-produced outputs counted but not listed one by one."""
        return self.outputs_total - len(self.outputs)


CO_CREDITS = [OutputCredit.Credit.CO_AUTHOR, OutputCredit.Credit.CO_PRESENTER]
# The annual report lists at most this many co-produced outputs one by one (all are counted).
OUTPUTS_LISTED = 50


def standards_evidence(period: Period) -> tuple[list[StandardEvidence], list]:
    """Per UK Standard: the actual impacts in `period` linked to it, the PIE team's narrative
    and the examples they chose (each wording once); and the advisors' reflections they chose.
    Three queries."""
    span = (period.start, period.end)
    impacts = ImpactRecord.objects.filter(kind=ImpactRecord.Kind.ACTUAL, recorded_on__range=span)
    standards = Standard.objects.annotate(
        n=Count("impacts", filter=Q(impacts__in=impacts))
    ).order_by("order")
    narratives = {
        n.standard_id: n.text
        for n in StandardNarrative.objects.for_period(year=period.year, period_kind=period.kind)
    }
    seen: set[str] = set()
    by_standard: dict[int, list] = {}
    reflections = []
    # The examples the PIE team chose: a few per standard, by hand.
    examples = ReportExample.objects.for_period(year=period.year, period_kind=period.kind)
    for example in examples.select_related(
        "reflection__impact__project", "impact__project", "output__project"
    ).order_by("order", "pk"):
        words = " ".join(example.text.split()).casefold()
        if words in seen:
            continue
        seen.add(words)
        if example.reflection_id:
            reflections.append(example)
        else:
            by_standard.setdefault(example.standard_id, []).append(example)
    return [
        StandardEvidence(s, s.n, narratives.get(s.pk, ""), by_standard.get(s.pk, []))
        for s in standards
    ], reflections


def annual_evidence(period: Period, *, equality: list[dict] | None = None) -> Evidence:
    """The curated examples and narratives for `period`, and the figures per UK Standard.
    Only examples the PIE team chose appear, each wording once. A fixed number of queries,
    and bounded work: impacts, training and outputs are counted by the database."""
    e = Evidence()
    span = (period.start, period.end)
    e.equality = equality_table(equality if equality is not None else equality_summary())

    impacts = ImpactRecord.objects.filter(kind=ImpactRecord.Kind.ACTUAL, recorded_on__range=span)
    e.standards, e.reflections = standards_evidence(period)
    # The report circulates: the impacts it counts leave out confidential projects.
    shared = impacts.filter(project__confidential=False)
    stages = {value: i for i, value in enumerate(ImpactStage.values)}
    stage_labels = dict(ImpactStage.choices)
    categories = dict(ImpactRecord._meta.get_field("category").flatchoices)
    rows = shared.values("stage", "category").annotate(n=Count("pk")).order_by()
    e.impacts = [
        (
            stage_labels.get(r["stage"], r["stage"]),
            categories.get(r["category"], r["category"]),
            r["n"],
        )
        for r in sorted(
            rows,
            key=lambda r: (stages.get(r["stage"], len(stages)), -r["n"], r["category"]),
        )
    ]
    e.impacts_listed = sum(n for _, _, n in e.impacts)
    e.impacts_projects = (
        shared.aggregate(n=Count("project", distinct=True))["n"] if e.impacts else 0
    )
    e.reflections_written = AdvisorReflection.objects.filter(
        impact__recorded_on__range=span
    ).count()

    co_produced = Output.objects.filter(
        published_on__range=span,
        project__confidential=False,
        credits__credit__in=CO_CREDITS,
    ).distinct()
    labels = dict(Output.Kind.choices)
    counts = {
        r["kind"]: r["n"]
        for r in Output.objects.filter(pk__in=co_produced.values("pk"))
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
    }
    e.outputs_total = sum(counts.values())
    e.outputs_by_kind = [(labels[k], counts[k]) for k in Output.Kind.values if k in counts]
    credited = OutputCredit.objects.filter(credit__in=CO_CREDITS).select_related("advisor")
    e.outputs = (
        list(
            co_produced.select_related("project")
            .prefetch_related(Prefetch("credits", queryset=credited, to_attr="co_credits"))
            .order_by("published_on", "title")[:OUTPUTS_LISTED]
        )
        if e.outputs_total
        else []
    )

    training = Training.objects.filter(completed_on__range=span)
    trained = training.aggregate(n=Count("pk"), advisors=Count("advisor", distinct=True))
    e.training_courses, e.advisors_trained = trained["n"], trained["advisors"]
    e.training_by_course = [
        (r["course"], r["n"])
        for r in training.values("course").annotate(n=Count("pk")).order_by("-n", "course")
    ]
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

    # Management Group meetings: about one a month.
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


# Each group of records offered as an example holds at most this many, the newest first.
CANDIDATES_SHOWN = 30


def evidence_candidates(period: Period) -> dict[int, list]:
    """For each standard, the records the PIE team may choose as examples (grouped choices:
    impacts linked to it, other impacts, advisors' reflections, co-produced outputs), in the
    period, from projects that are not confidential, leaving out records already chosen.
    Each group offers the CANDIDATES_SHOWN newest; a fixed number of queries."""
    span = (period.start, period.end)
    chosen = ReportExample.objects.for_period(year=period.year, period_kind=period.kind)
    used: dict[str, set] = {"impact": set(), "reflection": set(), "output": set()}
    for impact, reflection, output in chosen.values_list("impact", "reflection", "output"):
        for kind, pk in (("impact", impact), ("reflection", reflection), ("output", output)):
            if pk is not None:
                used[kind].add(pk)
    offered = ImpactRecord.objects.filter(
        recorded_on__range=span, project__confidential=False
    ).exclude(pk__in=used["impact"])
    newest_first = ("-recorded_on", "-pk")
    # Each standard's impacts, ranked newest first by the database. Ranks up to twice the
    # group size: any of the newest 2 x CANDIDATES_SHOWN impacts overall that is linked to a
    # standard ranks within that for the standard, so "other impacts" can leave it out.
    links = (
        ImpactRecord.standards.through.objects.filter(impactrecord__in=offered)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("standard_id"),
                order_by=[F("impactrecord__recorded_on").desc(), F("impactrecord_id").desc()],
            )
        )
        .filter(rank__lte=CANDIDATES_SHOWN * 2)
        .values_list("standard_id", "impactrecord_id", "rank")
    )
    linked: dict[int, set] = defaultdict(set)  # standard -> impacts in the group
    linked_known: dict[int, set] = defaultdict(set)  # standard -> every linked impact seen
    for standard_id, impact_id, rank in links:
        linked_known[standard_id].add(impact_id)
        if rank <= CANDIDATES_SHOWN:
            linked[standard_id].add(impact_id)
    # The newest impacts of all (for "other impacts") and the linked ones, in one query.
    newest = offered.order_by(*newest_first).values("pk")[: CANDIDATES_SHOWN * 2]
    impacts = list(
        ImpactRecord.objects.filter(Q(pk__in=newest) | Q(pk__in=set().union(*linked.values())))
        .select_related("project")
        .by_stage("recorded_on", "pk")
    )
    newest_ids = {
        i.pk
        for i in sorted(impacts, key=lambda i: (i.recorded_on, i.pk), reverse=True)[
            : CANDIDATES_SHOWN * 2
        ]
    }
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
        .order_by("-impact__recorded_on", "-pk")[:CANDIDATES_SHOWN]
    ]
    outputs = [
        (f"output:{o.pk}", f"{o.get_kind_display()} · {o.project.title}: {_short(o.title)}")
        for o in Output.objects.filter(
            published_on__range=span, project__confidential=False, credits__credit__in=CO_CREDITS
        )
        .exclude(pk__in=used["output"])
        .distinct()
        .select_related("project")
        .order_by("-published_on", "title")[:CANDIDATES_SHOWN]
    ]

    def label(i: ImpactRecord) -> str:
        return f"{i.project.title} · {i.get_stage_display()}: {_short(i.what_changed)}"

    result = {}
    for s in Standard.objects.order_by("order"):
        groups = [
            (
                "Impacts linked to this standard",
                [(f"impact:{i.pk}", label(i)) for i in impacts if i.pk in linked[s.pk]],
            ),
            (
                "Other impacts",
                [
                    (f"impact:{i.pk}", label(i))
                    for i in impacts
                    if i.pk in newest_ids and i.pk not in linked_known[s.pk]
                ][:CANDIDATES_SHOWN],
            ),
            ("Advisors' reflections", reflections),
            ("Co-produced outputs", outputs),
        ]
        result[s.pk] = [(name, choices) for name, choices in groups if choices]
    return result
