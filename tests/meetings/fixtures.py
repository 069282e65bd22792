"""Meetings the access matrix points at: one Alice is invited to, one only Bob is invited to."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from meetings.models import MeetingPaper
from tests.factories import MeetingFactory, invite


def _upcoming(title: str):
    start = timezone.now() + datetime.timedelta(days=7)
    return MeetingFactory(
        title=title,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        agenda_deadline=start - datetime.timedelta(days=2),
    )


def alice_meeting(tc) -> dict:
    if not hasattr(tc, "_alice_meeting"):
        tc._alice_meeting = _upcoming("Alice's PIEG")
        invite(tc._alice_meeting, tc.alice)
    return {"pk": tc._alice_meeting.pk}


def bob_meeting(tc) -> dict:
    if not hasattr(tc, "_bob_meeting"):
        tc._bob_meeting = _upcoming("Bob's workshop")
        invite(tc._bob_meeting, tc.bob)
    return {"pk": tc._bob_meeting.pk}


def held_meeting(tc) -> dict:
    if not hasattr(tc, "_held_meeting"):
        tc._held_meeting = MeetingFactory(title="Last week's PIEG")
        invite(tc._held_meeting, tc.alice)
    return {"pk": tc._held_meeting.pk}


def _paper(meeting_pk: int):
    return MeetingPaper.objects.create(
        meeting_id=meeting_pk,
        title="Agenda pack",
        file=ContentFile(b"%PDF-1.4 papers", name="papers.pdf"),
    )


def alice_paper(tc) -> dict:
    return {"pk": _paper(alice_meeting(tc)["pk"]).pk}


def bob_paper(tc) -> dict:
    return {"pk": _paper(bob_meeting(tc)["pk"]).pk}


def meeting_to_cancel(tc) -> dict:
    """Its own meeting, so cancelling it does not change the others the matrix uses."""
    return {"pk": _upcoming("Meeting to cancel").pk}
