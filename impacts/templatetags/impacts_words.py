"""How the impacts pages say what depends on the day: `{% load impacts_words %}`.

{{ survey|survey_dates }}   Opens on Monday 1 June 2026 / Open until ... / Closed on ...
"""

from django import template
from django.utils import timezone

from ascru_pie.templatetags.words import date_words

from ..models import Survey

register = template.Library()


@register.filter
def survey_dates(survey: Survey) -> str:
    today = timezone.localdate()
    if today < survey.opens_on:
        return f"Opens on {date_words(survey.opens_on)}"
    if today > survey.closes_on:
        return f"Closed on {date_words(survey.closes_on)}"
    return f"Open until {date_words(survey.closes_on)}"
