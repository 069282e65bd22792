"""The advisor's own annual limit (some are on benefits): one check for every kind of claim.

What counts towards it is settings.ANNUAL_LIMIT_COUNTS (Claim.limit_kinds): by default the
payments for their time only, because benefits rules treat money paid back for expenses
differently. The warning is worded to whoever reads it: "your limit" to the advisor, "their
limit" with the advisor's name to the PIE team.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum

from advisors.models import Advisor
from ascru_pie.lib.dates import tax_year
from ascru_pie.lib.money import ZERO, to_money
from ascru_pie.models import User
from ascru_pie.templatetags.words import day_text, pounds_text

from ..models import Claim


def limit_counts_words() -> str:
    """What counts towards the limit, for the pages that explain it to the advisor."""
    if settings.ANNUAL_LIMIT_COUNTS == "all":
        return (
            "Everything we pay you counts towards your limit: payments for your time and "
            "money we pay back for expenses."
        )
    return (
        "Only payments for your time count towards your limit. Money we pay back for "
        "expenses, such as travel, does not count."
    )


@dataclass
class YearTotals:
    """An advisor's claims in one tax year: all of them, and the part that counts towards the limit."""

    total: Decimal
    towards_limit: Decimal


def advisor_year_totals(*, advisor: Advisor, on: date) -> YearTotals:
    """Money claimed (not rejected or cancelled) in the tax year containing `on`. One query."""
    start, end = tax_year(on)
    sums = (
        Claim.objects.counted()
        .filter(advisor=advisor, activity_date__range=(start, end))
        .aggregate(
            total=Sum("amount"), towards_limit=Sum("amount", filter=Q(kind__in=Claim.limit_kinds()))
        )
    )
    # Rounded here: SQLite's Sum comes back with extra decimal places.
    return YearTotals(to_money(sums["total"] or ZERO), to_money(sums["towards_limit"] or ZERO))


def advisor_tax_year_total(*, advisor: Advisor, on: date) -> Decimal:
    """Money claimed (not rejected or cancelled) in the tax year containing `on`."""
    return advisor_year_totals(advisor=advisor, on=on).total


def _over_limit(advisor: Advisor, on: date, new_total: Decimal, *, to_advisor: bool) -> str:
    """The one rule: a warning when the tax year's total would pass the advisor's limit."""
    if advisor.annual_limit is None or new_total <= advisor.annual_limit:
        return ""
    start, end = tax_year(on)
    year = f"the tax year {day_text(start)} to {day_text(end)}"
    total, limit = pounds_text(new_total), pounds_text(advisor.annual_limit)
    everything = settings.ANNUAL_LIMIT_COUNTS == "all"
    if to_advisor:
        what = "your payments and expenses" if everything else "the payments for your time"
        return f"This would take {what} in {year} to {total}, over your limit of {limit}."
    name = advisor.full_name
    what = f"{name}’s payments and expenses" if everything else f"the payments for {name}’s time"
    return f"This would take {what} in {year} to {total}, over their limit of {limit}."


def _to_advisor(advisor: Advisor, reader: User | None) -> bool:
    return reader is not None and advisor.user_id is not None and reader.pk == advisor.user_id


def annual_limit_warning(
    *,
    advisor: Advisor,
    on: date,
    amount: Decimal,
    kind: str = Claim.Kind.TIME,
    exclude: Claim | None = None,
    reader: User | None = None,
) -> str:
    """A warning if a claim of `kind` for `amount` would take the advisor over the limit they
    set, else ''. Worded for `reader` (the advisor, or staff when None or anyone else)."""
    if advisor.annual_limit is None or kind not in Claim.limit_kinds():
        return ""
    start, end = tax_year(on)
    total = (
        Claim.objects.counted()
        .towards_limit()
        .filter(advisor=advisor, activity_date__range=(start, end))
        .aggregate(total=Sum("amount"))["total"]
    )
    total = to_money(total or ZERO)
    if exclude is not None and exclude.counts_towards_limit:
        total -= exclude.amount
    return _over_limit(advisor, on, total + amount, to_advisor=_to_advisor(advisor, reader))


def annual_limit_warnings(*, claims: list[Claim], reader: User | None = None) -> dict[int, str]:
    """annual_limit_warning(exclude=claim) for many claims (claim id -> warning), in one query.

    Tax-year totals of every advisor with a limit, one column per tax year the claims fall in.
    """
    limited = [
        c for c in claims if c.advisor.annual_limit is not None and c.kind in Claim.limit_kinds()
    ]
    if not limited:
        return {}
    years = sorted({tax_year(c.activity_date) for c in limited})
    sums = {
        f"y{start:%Y}": Sum("amount", filter=Q(activity_date__range=(start, end)))
        for start, end in years
    }
    rows = (
        Claim.objects.counted()
        .towards_limit()
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
        if claim.counts_towards_limit:
            total -= claim.amount  # the claim itself is added below, as exclude=claim does
        warning = _over_limit(
            claim.advisor,
            claim.activity_date,
            total + claim.amount,
            to_advisor=_to_advisor(claim.advisor, reader),
        )
        if warning:
            warnings[claim.pk] = warning
    return warnings
