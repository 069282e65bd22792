"""How the meetings pages say what depends on the moment: `{% load meetings_words %}`.

    {{ meeting|meeting_status }}   Scheduled, Held, Cancelled, or "Took place: attendance not
                                   recorded yet" for a scheduled meeting that is over

Wording of one object that does not change with the moment is a model property
(`Invitation.answer_words`, `AgendaItem.proposal_words`).
"""

from django import template
from django.utils import timezone

from ..models import Meeting

register = template.Library()


@register.filter
def meeting_status(meeting: Meeting) -> str:
    if meeting.status == Meeting.Status.SCHEDULED and meeting.ends_at < timezone.now():
        return "Took place: attendance not recorded yet"
    return meeting.get_status_display()
