"""Dates and times in words, the way people say them (GOV.UK style): for advisor-facing text."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format


def time_words(moment: datetime.datetime) -> str:
    """10am, 10:30am, midday, 4:15pm: the way people say times (GOV.UK style)."""
    local = timezone.localtime(moment)
    if local.minute == 0 and local.hour in (0, 12):
        return "midnight" if local.hour == 0 else "midday"
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def date_words(moment: datetime.datetime) -> str:
    """Tuesday 3 March 2026."""
    return date_format(timezone.localtime(moment), "l j F Y")


def when_words(meeting) -> str:
    """Tuesday 3 March 2026, 10:30am to 12:30pm (both dates when it runs over a night)."""
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    if start.date() == end.date():
        return f"{date_words(start)}, {time_words(start)} to {time_words(end)}"
    return f"{date_words(start)}, {time_words(start)} to {date_words(end)}, {time_words(end)}"


def deadline_words(moment: datetime.datetime) -> str:
    """1 December 2026 at 6:40am."""
    return f"{date_format(timezone.localtime(moment), 'j F Y')} at {time_words(moment)}"


def tax_year(on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The UK tax year containing `on`: 6 April to 5 April."""
    start_year = on.year if on >= datetime.date(on.year, 4, 6) else on.year - 1
    return datetime.date(start_year, 4, 6), datetime.date(start_year + 1, 4, 5)


def hours_number(hours) -> str:
    """2.50 -> '2.5', 3.00 -> '3': hours as people write them."""
    return f"{Decimal(hours).normalize():f}"


def hours_words(hours: Decimal) -> str:
    """2 hours, 1 hour, 1.5 hours."""
    number = hours_number(hours)
    return f"{number} hour" if hours == 1 else f"{number} hours"
