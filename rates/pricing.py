"""Pricing time at the rate in force on the day: used by plans (budgets) and claims (pay).

The rate used is copied (`rate_snapshot`) onto whatever it priced, so a later change of
rate never alters money already worked out.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from ascru_pie.lib.money import ZERO, to_money

from .models import RateCard


def rate_snapshot(rate: RateCard) -> dict:
    return {
        "id": rate.pk,
        "activity": rate.activity,
        "effective_from": rate.effective_from.isoformat(),
        "hourly_rate": str(rate.hourly_rate) if rate.hourly_rate is not None else None,
        "half_day_amount": str(rate.half_day_amount) if rate.half_day_amount is not None else None,
        "half_day_from_hours": str(rate.half_day_from_hours)
        if rate.half_day_from_hours is not None
        else None,
        "full_day_amount": str(rate.full_day_amount) if rate.full_day_amount is not None else None,
        "full_day_from_hours": str(rate.full_day_from_hours)
        if rate.full_day_from_hours is not None
        else None,
    }


def rate_in_force(*, activity: str, on) -> RateCard:
    rate = RateCard.objects.in_force(activity=activity, on=on)
    if rate is None:
        raise ValidationError(
            f"There is no rate for {RateCard.Activity(activity).label.lower()} on {on:%d %B %Y}. "
            "Add one to the rate card first; nothing has been saved.",
            code="no_rate",
        )
    return rate


@dataclass
class TimeAmount:
    amount: Decimal
    computation: str
    snapshot: dict


def time_amount(
    *, on, hours: Decimal, preparation_hours: Decimal, activity: str = RateCard.Activity.MEETING
) -> TimeAmount:
    """Pay for `hours` of `activity` plus preparation, at the rates in force on date `on`."""
    amount, parts, snapshot = ZERO, [], {}
    if hours > 0:
        rate = rate_in_force(activity=activity, on=on)
        paid, how = rate.amount_for(hours)
        amount += paid
        parts.append(f"{RateCard.Activity(activity).label}: {how}")
        snapshot[activity] = rate_snapshot(rate)
    if preparation_hours > 0:
        rate = rate_in_force(activity=RateCard.Activity.PREPARATION, on=on)
        paid, how = rate.amount_for(preparation_hours)
        amount += paid
        parts.append(f"Preparation: {how}")
        snapshot[RateCard.Activity.PREPARATION] = rate_snapshot(rate)
    return TimeAmount(to_money(amount), "; ".join(parts) or "no paid time", snapshot)


class RateBook:
    """All rate card rows, loaded once, so a budget costs one query however long the plan."""

    def __init__(self, rates: Iterable[RateCard] | None = None) -> None:
        rows = list(rates if rates is not None else RateCard.objects.all())
        self.rows = sorted(rows, key=lambda r: r.effective_from, reverse=True)

    def in_force(self, activity: str, on: date) -> RateCard | None:
        return next(
            (r for r in self.rows if r.activity == activity and r.effective_from <= on), None
        )
