"""Reminder panels that pages of lower apps show (a meeting's staff page).

A template tag, so meetings never imports reminders: the page asks for the panel by name.
"""

from django import template
from django.db.models import Count, Max

from meetings.models import Meeting

from ..models import Delivery

register = template.Library()


REMINDER_KINDS = {
    "meeting-7d": "Reminder 7 days before",
    "meeting-1d": "Reminder 1 day before",
    "rsvp-chase": "Reply chaser",
    "agenda-deadline": "Agenda deadline reminder",
    "impact-prompt": "Impact question to the project lead",
}


def _reminder_summary(meeting: Meeting) -> list[dict]:
    """The delivery log for this meeting, one line per kind of reminder (one query)."""
    rows: dict[str, dict] = {}
    for row in (
        Delivery.objects.filter(meeting=meeting)
        .values("kind", "status")
        .annotate(n=Count("pk"), last_sent=Max("sent_at"))
        .order_by("kind")
    ):
        entry = rows.setdefault(
            row["kind"],
            {
                "label": REMINDER_KINDS.get(row["kind"], row["kind"]),
                "sent": 0,
                "listed": 0,
                "failed": 0,
                "pending": 0,
                "last_sent": None,
            },
        )
        entry[row["status"]] = row["n"]
        if row["last_sent"] and (
            entry["last_sent"] is None or row["last_sent"] > entry["last_sent"]
        ):
            entry["last_sent"] = row["last_sent"]
    return list(rows.values())


@register.inclusion_tag("reminders/_meeting_reminders.html")
def meeting_reminders(meeting: Meeting) -> dict:
    return {"reminders": _reminder_summary(meeting)}
