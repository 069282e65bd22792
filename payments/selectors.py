"""Reads about money that pages and other apps share: budgets, days to pay, statements."""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.utils import timezone

from advisors.models import Advisor, PaymentPreference
from ascru_pie.lib.dates import tax_year
from ascru_pie.lib.money import ZERO, to_money
from projects.models import Project

from .models import (
    CentralBudget,
    Claim,
    PaymentBatch,
)

BUDGET_WORDS = {"over": "Over budget", "near": "Nearly spent: 80% or more", "": "Within budget"}
BUDGET_LEVELS = {"over": "over budget", "near": "nearly spent", "": ""}


@dataclass
class BudgetStatus:
    name: str
    budget: Decimal | None
    committed: Decimal
    paid: Decimal

    @property
    def percent(self) -> int | None:
        if not self.budget:
            return None
        return int((self.committed / self.budget * 100).to_integral_value())

    # Set for project budgets so pages can link to the project; None for central ones.
    project_id: int | None = None

    @property
    def warning(self) -> str:
        """'over' at 100% or more, 'near' from 80%, '' otherwise (always shown in words too).

        Compared exactly, not on the rounded percent: 99.6% spent is nearly spent, not over.
        """
        if not self.budget:
            return ""
        if self.committed >= self.budget:
            return "over"
        return "near" if self.committed * 100 >= self.budget * 80 else ""

    @property
    def level(self) -> str:
        """The warning as people say it: "over budget", "nearly spent" or ""."""
        return BUDGET_LEVELS[self.warning]

    @property
    def left(self) -> Decimal | None:
        """What is left of the budget (negative when over); None when no budget is set."""
        return None if self.budget is None else to_money(self.budget - self.committed)

    @property
    def over_by(self) -> Decimal:
        """How far committed money is past the budget (£0.00 when within it)."""
        return max(ZERO, -(self.left or ZERO))

    @property
    def words(self) -> str:
        """The state of the budget in words (never colour alone)."""
        if not self.budget:
            return "No budget set"
        return BUDGET_WORDS[self.warning]


def project_budgets(*, projects=None) -> list[BudgetStatus]:
    """Each project's PIE budget against committed (approved or later) and paid claims. Two queries."""
    projects = list(projects if projects is not None else Project.objects.all())
    rows = (
        Claim.objects.committed()
        .filter(project__in=projects)
        .values("project_id")
        .annotate(committed=Sum("amount"), paid=Sum("amount", filter=Q(status=Claim.Status.PAID)))
        .order_by()
    )
    sums = {r["project_id"]: r for r in rows}
    # Rounded to the penny: SQLite's Sum comes back with extra decimal places.
    return [
        BudgetStatus(
            p.title,
            p.pie_budget,
            to_money(sums.get(p.pk, {}).get("committed") or ZERO),
            to_money(sums.get(p.pk, {}).get("paid") or ZERO),
            project_id=p.pk,
        )
        for p in projects
    ]


def projects_with_budgets():
    """Projects with a PIE budget or committed claims, by title: the budgets page's list (page
    it, then project_budgets() for the page)."""
    committed = Claim.objects.committed().filter(project=OuterRef("pk"))
    return Project.objects.filter(Q(pie_budget__isnull=False) | Exists(committed)).order_by(
        "title", "pk"
    )


def financial_year_start(on: date) -> date:
    """The first day of the financial year (1 April to 31 March) containing `on`."""
    return date(on.year if on.month >= 4 else on.year - 1, 4, 1)


def financial_year_end(year_starting: date) -> date:
    """The last day of the financial year that starts on `year_starting`."""
    return date(year_starting.year + 1, year_starting.month, year_starting.day) - timedelta(days=1)


@dataclass(frozen=True)
class BudgetAlert:
    """A budget at 80% or more committed: `kind` is "project" or "central"."""

    kind: str
    status: BudgetStatus

    @property
    def name(self) -> str:
        return self.status.name

    @property
    def level(self) -> str:
        """ "over budget" (100% or more) or "nearly spent" (80% or more)."""
        return self.status.level

    @property
    def percent(self) -> int | None:
        return self.status.percent

    @property
    def project_id(self) -> int | None:
        return self.status.project_id


def _alert_project_budgets() -> list[BudgetStatus]:
    """Projects with a PIE budget and their committed and paid sums, in one query."""
    committed = Q(claims__status__in=Claim.COMMITTED)
    projects = (
        Project.objects.exclude(pie_budget__isnull=True)
        .annotate(
            committed=Sum("claims__amount", filter=committed),
            paid=Sum("claims__amount", filter=committed & Q(claims__status=Claim.Status.PAID)),
        )
        .order_by("title")
    )
    return [
        BudgetStatus(
            p.title,
            p.pie_budget,
            to_money(p.committed or ZERO),
            to_money(p.paid or ZERO),
            project_id=p.pk,
        )
        for p in projects
    ]


def budget_alerts(*, today: date | None = None) -> list[BudgetAlert]:
    """Project budgets and this financial year's central budgets at 80% or more committed.

    Over-budget ones first, then the fullest. For the coordinator's home and the PIE digest.
    Two queries however many budgets: the projects with their sums, the central budgets
    with theirs.
    """
    today = today or timezone.localdate()
    alerts = [BudgetAlert("project", b) for b in _alert_project_budgets() if b.warning]
    alerts += [
        BudgetAlert("central", b)
        for b in central_budgets(year_starting=financial_year_start(today))
        if b.warning
    ]
    return sorted(alerts, key=lambda a: (a.status.warning != "over", -(a.percent or 0)))


BUDGET_ALERTS_CACHE_SECONDS = 5 * 60


def budget_alerts_cached(*, today: date | None = None) -> list[BudgetAlert]:
    """budget_alerts() as the coordinator's home shows them, kept five minutes.

    Working the alerts out sums every committed claim (two grouped scans, seconds at a
    hundred units' size); the home is opened many times a day and a budget's level moves
    slowly, so a figure up to five minutes old is fine there. The budgets page and the PIE
    digest keep reading the live figures.
    """
    today = today or timezone.localdate()
    return cache.get_or_set(
        f"payments:budget-alerts:{today}",
        lambda: budget_alerts(today=today),
        BUDGET_ALERTS_CACHE_SECONDS,
    )


CENTRAL_CATEGORY_MEETINGS = {
    CentralBudget.Category.PIEG: "pieg",
    CentralBudget.Category.MANAGEMENT: "management",
    CentralBudget.Category.TRAINING: "training",
}


def _central_category_of_claim() -> Case:
    """Which central budget a claim counts against, in SQL (as _central_category in Python):
    meeting claims by meeting type; support = expense claims with no project or meeting."""
    return Case(
        *[
            When(meeting__type=meeting_type, then=Value(category))
            for category, meeting_type in CENTRAL_CATEGORY_MEETINGS.items()
        ],
        When(
            Q(kind=Claim.Kind.EXPENSE, project__isnull=True, meeting__isnull=True),
            then=Value(CentralBudget.Category.SUPPORT),
        ),
        default=None,
        output_field=CharField(),
    )


def central_budgets(*, year_starting: date) -> list[BudgetStatus]:
    """The central budget by category: meeting claims by meeting type; support = claims with
    no project. One query (each budget's sums are subqueries on its category)."""
    end = financial_year_end(year_starting)

    def claims_sum(claims) -> Subquery:
        return Subquery(
            claims.filter(activity_date__range=(year_starting, end))
            .annotate(central=_central_category_of_claim())
            .filter(central=OuterRef("category"))
            .order_by()
            .values("central")
            .annotate(total=Sum("amount"))
            .values("total")
        )

    budgets = CentralBudget.objects.filter(year_starting=year_starting).annotate(
        committed=claims_sum(Claim.objects.committed()),
        paid=claims_sum(Claim.objects.filter(status=Claim.Status.PAID)),
    )
    return [
        BudgetStatus(
            budget.get_category_display(),
            budget.amount,
            to_money(budget.committed or ZERO),
            to_money(budget.paid or ZERO),
        )
        for budget in budgets
    ]


def support_budget_status(*, advisor: Advisor, on: date | None = None) -> BudgetStatus | None:
    """An advisor's agreed annual support budget against their expense claims (carer costs,
    travel and the rest) committed in the financial year containing `on`; None when no
    budget is agreed. `.left` is what remains. Staff only. One query.
    """
    if advisor.support_budget is None:
        return None
    year = financial_year_start(on or timezone.localdate())
    sums = (
        Claim.objects.committed()
        .filter(
            advisor=advisor,
            kind=Claim.Kind.EXPENSE,
            activity_date__range=(year, financial_year_end(year)),
        )
        .aggregate(c=Sum("amount"), p=Sum("amount", filter=Q(status=Claim.Status.PAID)))
    )
    return BudgetStatus(
        f"Support budget, April {year.year} to March {year.year + 1}",
        advisor.support_budget,
        to_money(sums["c"] or ZERO),
        to_money(sums["p"] or ZERO),
    )


def support_budgets(*, year_starting: date) -> list[tuple[Advisor, BudgetStatus]]:
    """Every advisor (not Left) with an agreed support budget, against their expense claims
    committed in the financial year, by name. Two queries."""
    advisors = list(
        Advisor.objects.taking_part()
        .exclude(support_budget__isnull=True)
        .order_by("last_name", "first_name", "pk")
    )
    rows = (
        Claim.objects.committed()
        .filter(
            advisor__in=advisors,
            kind=Claim.Kind.EXPENSE,
            activity_date__range=(year_starting, financial_year_end(year_starting)),
        )
        .values("advisor_id")
        .annotate(c=Sum("amount"), p=Sum("amount", filter=Q(status=Claim.Status.PAID)))
        .order_by()
    )
    sums = {r["advisor_id"]: r for r in rows} if advisors else {}
    return [
        (
            a,
            BudgetStatus(
                a.full_name,
                a.support_budget,
                to_money(sums.get(a.pk, {}).get("c") or ZERO),
                to_money(sums.get(a.pk, {}).get("p") or ZERO),
            ),
        )
        for a in advisors
    ]


@dataclass(frozen=True)
class BudgetOverrun:
    """Approving some claims would take this budget past 100%: what it is and by how much."""

    name: str
    budget: Decimal
    committed: Decimal
    adding: Decimal

    @property
    def after(self) -> Decimal:
        return to_money(self.committed + self.adding)

    @property
    def percent_after(self) -> int:
        return int((self.after / self.budget * 100).to_integral_value()) if self.budget else 0


def _central_category(claim: Claim) -> str | None:
    """Which central budget a claim counts against (as central_budgets() counts it), if any."""
    if claim.meeting_id is not None:
        meeting_type = claim.meeting.type
        return next((c for c, t in CENTRAL_CATEGORY_MEETINGS.items() if t == meeting_type), None)
    if claim.kind == Claim.Kind.EXPENSE and claim.project_id is None:
        return CentralBudget.Category.SUPPORT
    return None


def budget_overruns(*, claims: list[Claim]) -> list[BudgetOverrun]:
    """The project and central budgets that approving `claims` would take past 100%.

    Only claims not yet committed add to a budget. A warning for the approver, never a block.
    Queries: the claims' meetings and projects, 2 for the project sums, and one per
    financial year involved.
    """
    pending = [c for c in claims if c.status == Claim.Status.SUBMITTED]
    if not pending:
        return []
    prefetch_related_objects(pending, "meeting", "project")
    by_project: dict[int, Decimal] = defaultdict(lambda: ZERO)
    by_central: dict[tuple[date, str], Decimal] = defaultdict(lambda: ZERO)
    for claim in pending:
        if claim.project_id is not None and claim.project.pie_budget is not None:
            by_project[claim.project_id] += claim.amount
        category = _central_category(claim)
        if category:
            by_central[(financial_year_start(claim.activity_date), category)] += claim.amount
    result = []
    projects = Project.objects.filter(pk__in=by_project).order_by("title")
    for status in project_budgets(projects=projects) if by_project else []:
        adding = by_project[status.project_id]
        if status.budget is not None and status.committed + adding > status.budget:
            result.append(BudgetOverrun(status.name, status.budget, status.committed, adding))
    labels = dict(CentralBudget.Category.choices)
    for year in sorted({year for year, _ in by_central}):
        for status in central_budgets(year_starting=year):
            category = next(c for c, label in labels.items() if label == status.name)
            adding = by_central.get((year, category), ZERO)
            if adding and status.committed + adding > status.budget:
                name = f"{status.name} ({year.year} to {year.year + 1})"
                result.append(BudgetOverrun(name, status.budget, status.committed, adding))
    return result


def claims_at_risk(*, today: date | None = None):
    """Unpaid claims past, or within PAYMENT_AT_RISK_DAYS of, the payment target."""
    today = today or timezone.localdate()
    return Claim.objects.at_risk(today=today).select_related("advisor").order_by("activity_date")


def claims_at_risk_summary(*, today: date) -> dict:
    """The claims longest at risk (AT_RISK_SHOWN of them), how many there are and their total,
    and the targets they are measured against, for the staff pages. The whole list is the
    claims queue's "at risk" state. One query: the count and total ride on each row."""
    # A window with no order is over every claim at risk, not just the rows shown.
    at_risk = list(
        claims_at_risk(today=today).annotate(
            n_at_risk=Window(Count("pk")), total_at_risk=Window(Sum("amount"))
        )[:AT_RISK_SHOWN]
    )
    return {
        "at_risk": at_risk,
        "at_risk_count": at_risk[0].n_at_risk if at_risk else 0,
        "at_risk_total": to_money(at_risk[0].total_at_risk if at_risk else ZERO),
        "target_days": settings.PAYMENT_TARGET_DAYS,
        "at_risk_after": settings.PAYMENT_TARGET_DAYS - settings.PAYMENT_AT_RISK_DAYS,
    }


def _percentile(values: list[int], pct: int) -> float:
    """Nearest-rank percentile, as finance reports it (no interpolation surprises)."""
    ordered = sorted(values)
    rank = max(1, -(-pct * len(ordered) // 100))
    return float(ordered[rank - 1])


def days_to_pay_by_month(*, since: date, until: date) -> list[dict]:
    """For paid claims, by month paid: count, median and 90th percentile days from activity to payment.

    A claim "paid" before its activity (a mistyped date) is never on target. On PostgreSQL the
    figures come from one grouped query (the median as statistics.median works it out, the
    90th percentile by nearest rank, as _percentile); elsewhere the days are counted here.
    """
    if connection.vendor == "postgresql":
        key = f"payments:days-to-pay:{since}:{until}:{settings.PAYMENT_TARGET_DAYS}"
        return cache.get_or_set(
            key,
            lambda: _days_to_pay_by_month_sql(since=since, until=until),
            DAYS_TO_PAY_CACHE_SECONDS,
        )
    months: dict[date, list[int]] = defaultdict(list)
    for activity_date, paid_on in Claim.objects.filter(
        status=Claim.Status.PAID, paid_on__range=(since, until), reverses__isnull=True
    ).values_list("activity_date", "paid_on"):
        months[paid_on.replace(day=1)].append((paid_on - activity_date).days)
    return [
        {
            "month": month,
            "count": len(days),
            "median": statistics.median(days),
            "p90": _percentile(days, 90),
            "on_target": sum(1 for d in days if 0 <= d <= settings.PAYMENT_TARGET_DAYS),
        }
        for month, days in sorted(months.items())
    ]


# Days to pay is a year of paid claims: worked out at most every few minutes, not per view.
DAYS_TO_PAY_CACHE_SECONDS = 5 * 60


def _days_to_pay_by_month_sql(*, since: date, until: date) -> list[dict]:
    """days_to_pay_by_month in one PostgreSQL query (percentile_cont is the median with the
    middle two averaged; percentile_disc is the nearest-rank percentile)."""
    table = connection.ops.quote_name(Claim._meta.db_table)
    sql = f"""
        SELECT date_trunc('month', paid_on)::date AS month, count(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY paid_on - activity_date),
               percentile_disc(0.9) WITHIN GROUP (ORDER BY paid_on - activity_date),
               count(*) FILTER (WHERE paid_on - activity_date BETWEEN 0 AND %s)
        FROM {table}
        WHERE status = %s AND paid_on BETWEEN %s AND %s AND reverses_id IS NULL
        GROUP BY 1 ORDER BY 1
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [settings.PAYMENT_TARGET_DAYS, Claim.Status.PAID, since, until])
        rows = cursor.fetchall()
    return [
        {
            "month": month,
            "count": count,
            "median": float(median),
            "p90": float(p90),
            "on_target": on_target,
        }
        for month, count, median, p90, on_target in rows
    ]


def tax_year_statement(*, advisor: Advisor, year_start: date) -> dict:
    """Payments to an advisor in one tax year: totals by month and by type (paid claims only)."""
    start, end = tax_year(year_start)
    claims = list(
        Claim.objects.filter(
            advisor=advisor, status=Claim.Status.PAID, paid_on__range=(start, end)
        ).order_by("paid_on")
    )
    by_month: dict[date, Decimal] = defaultdict(lambda: ZERO)
    by_type: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for c in claims:
        by_month[c.paid_on.replace(day=1)] += c.amount
        label = (
            c.get_kind_display()
            if c.kind == Claim.Kind.TIME
            else f"Expenses: {c.get_expense_type_display().lower()}"
        )
        by_type[label] += c.amount
    return {
        "start": start,
        "end": end,
        "claims": claims,
        "total": to_money(sum((c.amount for c in claims), ZERO)),
        "by_month": [(month, to_money(amount)) for month, amount in sorted(by_month.items())],
        "by_type": [(label, to_money(amount)) for label, amount in sorted(by_type.items())],
    }


# --- The claims queue: one page of claims at a time, with counts over all of them ------------

# The states the queue can show; "at_risk" is unpaid claims near or past the payment target.
QUEUE_STATES = [
    *[(value, label) for value, label in Claim.Status.choices],
    ("at_risk", "At risk of missing the payment target"),
]
# Claims still on their way are listed oldest first; finished ones newest first.
QUEUE_OLDEST_FIRST = {*Claim.UNPAID, "at_risk"}
# How many claims the at-risk summary lists (the whole list is the queue's "at_risk" state).
AT_RISK_SHOWN = 10


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows: a state (QUEUE_STATES), and optionally one project and advisor
    names (every word must begin the first or last name)."""

    status: str = Claim.Status.SUBMITTED
    project_id: int | None = None
    advisor: str = ""

    def claims(self):
        """The claims of every state this filter's project and advisor allow."""
        claims = Claim.objects.all()
        if self.project_id is not None:
            claims = claims.filter(project_id=self.project_id)
        for word in self.advisor.split()[:5]:
            claims = claims.filter(
                Q(advisor__first_name__istartswith=word) | Q(advisor__last_name__istartswith=word)
            )
        return claims


def _at_risk_q(today: date) -> Q:
    cutoff = today - timedelta(days=settings.PAYMENT_TARGET_DAYS - settings.PAYMENT_AT_RISK_DAYS)
    return Q(status__in=Claim.UNPAID, reverses__isnull=True, activity_date__lte=cutoff)


def claim_queue(*, chosen: QueueFilter, today: date):
    """The claims in the chosen state, in queue order, with their advisors (not yet paged)."""
    claims = chosen.claims().select_related("advisor")
    if chosen.status == "at_risk":
        return claims.filter(_at_risk_q(today)).order_by("activity_date", "pk")
    claims = claims.filter(status=chosen.status)
    if chosen.status in QUEUE_OLDEST_FIRST:
        return claims.order_by("created_at", "pk")
    return claims.order_by("-created_at", "-pk")


def claim_queue_counts(*, chosen: QueueFilter, today: date) -> dict:
    """How many claims are in each state (and at risk), and the money waiting for approval,
    for the chosen project and advisor. One query, on the claims still on their way: finished
    claims (paid, rejected, cancelled) are most of the table, so they are counted only when
    shown (by the pager)."""
    claims = chosen.claims().filter(status__in=Claim.UNPAID)
    figures = claims.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in Claim.UNPAID},
        at_risk=Count("pk", filter=_at_risk_q(today)),
        submitted_total=Sum("amount", filter=Q(status=Claim.Status.SUBMITTED)),
    )
    figures["submitted_total"] = to_money(figures["submitted_total"] or ZERO)
    return figures


# --- A payment batch: figures over all its claims, whatever page is shown -------------------


@dataclass(frozen=True)
class BatchFigures:
    n_claims: int
    n_unpaid: int
    unpaid_total: Decimal


def batch_figures(*, batch: PaymentBatch) -> BatchFigures:
    """How many claims the batch has, how many are still to be paid and their total. One query."""
    unpaid = Q(status=Claim.Status.IN_BATCH)
    sums = batch.claims.aggregate(
        n=Count("pk"), unpaid=Count("pk", filter=unpaid), total=Sum("amount", filter=unpaid)
    )
    return BatchFigures(sums["n"], sums["unpaid"], to_money(sums["total"] or ZERO))


def batch_payees_missing_bank_details(*, batch: PaymentBatch, limit: int = 50) -> list[Advisor]:
    """Payees with claims still to be paid in the batch, to be paid by bank transfer, with no
    bank details yet, by name: the first `limit` of them, each with `.n_missing`, how many
    there are in all. One query."""
    return list(
        Advisor.objects.filter(
            payment_preference=PaymentPreference.BANK_TRANSFER,
            bank_details__isnull=True,
            pk__in=batch.claims.filter(status=Claim.Status.IN_BATCH).values("advisor_id"),
        )
        .annotate(n_missing=Window(Count("pk")))
        .order_by("last_name", "first_name", "pk")[:limit]
    )
