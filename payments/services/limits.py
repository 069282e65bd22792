"""The advisor's own annual limit (some are on benefits): one check for every kind of claim."""

from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from advisors.models import Advisor
from ascru_pie.lib.dates import tax_year
from ascru_pie.lib.money import ZERO, to_money

from ..models import Claim


def advisor_tax_year_total(*, advisor: Advisor, on: date) -> Decimal:
    """Money claimed (not rejected or cancelled) in the tax year containing `on`."""
    start, end = tax_year(on)
    total = (
        Claim.objects.counted()
        .filter(advisor=advisor, activity_date__range=(start, end))
        .aggregate(total=Sum("amount"))["total"]
    )
    return total or ZERO


def _over_limit(advisor: Advisor, on: date, new_total: Decimal) -> str:
    """The one rule: a warning when the tax year's total would pass the advisor's limit."""
    if advisor.annual_limit is None or new_total <= advisor.annual_limit:
        return ""
    start, end = tax_year(on)
    return (
        f"This would take payments for the tax year {start.day} {start:%B %Y} to {end.day} {end:%B %Y} to "
        f"£{new_total}, over the limit of £{advisor.annual_limit} set for {advisor.full_name}."
    )


def annual_limit_warning(
    *, advisor: Advisor, on: date, amount: Decimal, exclude: Claim | None = None
) -> str:
    """A warning if `amount` would take the advisor over the limit they set, else ''."""
    if advisor.annual_limit is None:
        return ""
    total = advisor_tax_year_total(advisor=advisor, on=on)
    if exclude is not None and exclude.is_counted:
        total -= exclude.amount
    return _over_limit(advisor, on, total + amount)


def annual_limit_warnings(*, claims: list[Claim]) -> dict[int, str]:
    """annual_limit_warning(exclude=claim) for many claims (claim id -> warning), in one query.

    Tax-year totals of every advisor with a limit, one column per tax year the claims fall in.
    """
    limited = [c for c in claims if c.advisor.annual_limit is not None]
    if not limited:
        return {}
    years = sorted({tax_year(c.activity_date) for c in limited})
    sums = {
        f"y{start:%Y}": Sum("amount", filter=Q(activity_date__range=(start, end)))
        for start, end in years
    }
    rows = (
        Claim.objects.counted()
        .filter(advisor_id__in={c.advisor_id for c in limited})
        .values("advisor_id")
        .annotate(**sums)
        .order_by()
    )
    totals = {row["advisor_id"]: row for row in rows}
    warnings = {}
    for claim in limited:
        start, end = tax_year(claim.activity_date)
        total = to_money(totals.get(claim.advisor_id, {}).get(f"y{start:%Y}") or ZERO)
        if claim.is_counted:
            total -= claim.amount  # the claim itself is added below, as exclude=claim does
        if warning := _over_limit(claim.advisor, claim.activity_date, total + claim.amount):
            warnings[claim.pk] = warning
    return warnings
