"""How values are said on our pages, written once: `{% load words %}`.

    {{ claim.amount|pounds }}            £1,234.50 (-£40.00 for a correction)
    {{ budget|pounds_or:"not set" }}     the same, or the words given for no amount
    {{ 2.5|hours }}                      2.5 hours (1 hour)
    {{ 2.50|hours_number }}              2.5
    {{ n|plural:"claim" }}               1 claim, 3 claims   ({{ n|plural:"person,people" }})
    {{ median|days }}                    3 days, 1 day, 2.5 days
    {{ meeting.starts_at|date_words }}   Tuesday 3 March 2026
    {{ value|day }}                      3 March 2026 (a date or a moment)
    {{ moment|time_words }}              10am, 10:30am, midday
    {{ moment|deadline_words }}          1 December 2026 at 6:40am
    {{ meeting|when_words }}             Tuesday 3 March 2026, 10:30am to 12:30pm

Status wording of each kind of object lives with the app that owns it, as a model property
or that app's own filters (e.g. `{% load payments_words %}`), built on these.
"""

import datetime
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.formats import date_format

from ascru_pie.lib import dates
from ascru_pie.lib.money import to_money

register = template.Library()


def pounds_text(amount) -> str:
    """£1,234.50, always with pence; negative amounts keep their sign: -£40.00."""
    amount = to_money(Decimal(amount))
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def plural_text(n: int, forms: str) -> str:
    """'1 claim' / '3 claims'; forms 'person,people' for irregular plurals."""
    singular, _, many = forms.partition(",")
    return f"{n} {singular if n == 1 else many or singular + 's'}"


def days_text(n) -> str:
    """3 days, 1 day, 2.5 days: a median or a percentile of days, as people say it."""
    if n is None:
        return ""
    return plural_text(int(n), "day") if float(n).is_integer() else f"{n:g} days"


def day_text(value) -> str:
    """3 March 2026, from a date or a moment (in local time)."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return date_format(value, "j F Y")


@register.filter
def pounds(amount) -> str:
    return "" if amount is None or amount == "" else pounds_text(amount)


@register.filter
def pounds_or(amount, words: str = "not set") -> str:
    return words if amount is None else pounds_text(amount)


@register.filter
def hours(value) -> str:
    return "" if value is None else dates.hours_words(Decimal(value))


@register.filter
def hours_number(value) -> str:
    return "" if value is None else dates.hours_number(value)


@register.filter
def plural(n, forms: str) -> str:
    return plural_text(int(n), forms)


@register.filter
def days(n) -> str:
    return days_text(n)


@register.filter
def date_words(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return dates.date_words(value)
    return date_format(value, "l j F Y")


@register.filter
def day(value) -> str:
    return "" if value is None else day_text(value)


@register.filter
def time_words(value) -> str:
    return "" if value is None else dates.time_words(value)


@register.filter
def deadline_words(value) -> str:
    return "" if value is None else dates.deadline_words(value)


@register.filter
def when_words(meeting) -> str:
    return dates.when_words(meeting)
