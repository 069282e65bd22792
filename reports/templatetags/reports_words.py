"""`{% load reports_words %}`: a report request in words, for staff or (portal=True) an advisor."""

from django import template

from ..words import report_about_words, report_kind_words, report_status_words

register = template.Library()


@register.filter
def report_kind(report, portal=False) -> str:
    return report_kind_words(report, portal=bool(portal))


@register.filter
def report_about(report, portal=False) -> str:
    return report_about_words(report, portal=bool(portal))


@register.filter
def report_status(report, portal=False) -> str:
    return report_status_words(report, portal=bool(portal))
