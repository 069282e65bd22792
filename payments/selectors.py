"""Reads about money that pages and other apps share: budgets, days to pay, statements."""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from advisors.models import Advisor
from ascru_pie.lib.dates import tax_year
from ascru_pie.lib.money import ZERO, to_money
from projects.models import Project

from .models import (
    CentralBudget,
    Claim,
)

BUDGET_WORDS = {"over": "Over budget", "near": "Nearly spent: 80% or more", "": "Within budget"}


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

    @property
    def warning(self) -> str:
        """'over' at 100% or more, 'near' from 80%, '' otherwise (always shown in words too)."""
        if self.percent is None:
            return ""
        return "over" if self.percent >= 100 else "near" if self.percent >= 80 else ""

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
        )
        for p in projects
    ]


CENTRAL_CATEGORY_MEETINGS = {
    CentralBudget.Category.PIEG: "pieg",
    CentralBudget.Category.MANAGEMENT: "management",
    CentralBudget.Category.TRAINING: "training",
}


def central_budgets(*, year_starting: date) -> list[BudgetStatus]:
    """The central budget by category: meeting claims by meeting type; support = claims with no project."""
    end = date(year_starting.year + 1, year_starting.month, year_starting.day) - timedelta(days=1)
    committed = Claim.objects.committed().filter(activity_date__range=(year_starting, end))
    result = []
    for budget in CentralBudget.objects.filter(year_starting=year_starting):
        if budget.category in CENTRAL_CATEGORY_MEETINGS:
            claims = committed.filter(meeting__type=CENTRAL_CATEGORY_MEETINGS[budget.category])
        else:
            claims = committed.filter(
                kind=Claim.Kind.EXPENSE, project__isnull=True, meeting__isnull=True
            )
        sums = claims.aggregate(
            c=Sum("amount"), p=Sum("amount", filter=Q(status=Claim.Status.PAID))
        )
        result.append(
            BudgetStatus(
                budget.get_category_display(),
                budget.amount,
                to_money(sums["c"] or ZERO),
                to_money(sums["p"] or ZERO),
            )
        )
    return result


def claims_at_risk(*, today: date | None = None):
    """Unpaid claims past, or within PAYMENT_AT_RISK_DAYS of, the payment target."""
    today = today or timezone.localdate()
    return Claim.objects.at_risk(today=today).select_related("advisor").order_by("activity_date")


def claims_at_risk_summary(*, today: date) -> dict:
    """The at-risk list and the targets it is measured against, for the staff pages."""
    return {
        "at_risk": list(claims_at_risk(today=today)),
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

    A claim "paid" before its activity (a mistyped date) is never on target.
    """
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
