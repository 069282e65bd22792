"""Meetings in the advisor portal, in a real browser: Ada finds her meeting, says she
will come and what she needs, and proposes an agenda item.

Every page must pass axe-core (WCAG 2.2 AA) with zero violations, including error states.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_no_axe_violations, h1, login

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Spring PIEG meeting"


@pytest.fixture
def meeting(register):
    """The demo register (Ada Advisor is the "advisor" login), and a meeting in two weeks
    that Ada is invited to, still taking agenda proposals."""
    from django.core.files.base import ContentFile

    from advisors.models import Advisor
    from meetings.models import Invitation, Meeting, MeetingPaper

    ada = Advisor.objects.get(user__username="advisor")
    day = timezone.localdate() + datetime.timedelta(days=14)
    starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 30)))
    meeting = Meeting.objects.create(
        title=TITLE,
        type=Meeting.Type.PIEG,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        mode=Meeting.Mode.BOTH,
        location="Room 2, Cornwallis Building, University of Kent",
        joining_details="Join on Microsoft Teams: https://teams.example.org/pieg",
        step_free_access=True,
        hearing_loop=True,
        accessibility_notes="Breaks every hour. Lunch is provided.",
        preparation_hours=Decimal("1.50"),
        agenda_deadline=starts_at - datetime.timedelta(days=7),
    )
    MeetingPaper.objects.create(
        meeting=meeting,
        title="Agenda pack",
        file=ContentFile(b"%PDF-1.4 papers", name="agenda-pack.pdf"),
    )
    Invitation.objects.create(meeting=meeting, advisor=ada)
    return meeting


def test_advisor_answers_an_invitation_and_proposes_an_agenda_item(page, live_server, meeting):
    from meetings.models import AgendaItem, Invitation
    from meetings.views.portal import when_words

    # 1. Ada finds the meeting in her portal.
    login(page, live_server, "advisor", DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}/portal/meetings/")
    assert response.status == 200
    assert h1(page) == "Your meetings"
    assert page.get_by_text(when_words(meeting)).is_visible()
    assert page.get_by_text("You have not answered yet").is_visible()
    assert_no_axe_violations(page, "portal-meetings")

    # 2. She opens it: when, where, access, papers and the calendar file are all there.
    with page.expect_navigation():
        page.get_by_role("link", name=TITLE).click()
    detail_url = f"{live_server.url}/portal/meetings/{meeting.pk}/"
    assert page.url == detail_url
    assert h1(page) == TITLE
    assert page.get_by_text("Breaks every hour.").is_visible()
    assert page.get_by_role("link", name="Add to my calendar").is_visible()
    assert page.get_by_role("link", name="Agenda pack").is_visible()
    assert_no_axe_violations(page, "portal-meeting")

    # Sending without choosing an answer: an error summary, and nothing changes.
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answer").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.title().startswith("Error: ")
    assert summary.get_by_role(
        "link", name="Choose whether you can come: yes, no or maybe."
    ).is_visible()
    assert_no_axe_violations(page, "portal-meeting-answer-error")
    assert Invitation.objects.get(meeting=meeting).rsvp == Invitation.RSVP.PENDING

    # 3. She says yes, and that she needs large-print papers.
    page.get_by_label("Yes, I will come").check()
    page.get_by_label("What you need for this meeting (optional)").fill("Large-print papers")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answer").click()
    assert page.url == detail_url
    assert "Thank you, we have your answer." in page.get_by_role("status").inner_text()
    assert page.get_by_text("You said yes, you will come").is_visible()
    assert page.get_by_label("Yes, I will come").is_checked()
    assert_no_axe_violations(page, "portal-meeting-answered")
    invitation = Invitation.objects.get(meeting=meeting)
    assert invitation.rsvp == Invitation.RSVP.YES
    assert invitation.needs == "Large-print papers"
    assert invitation.responded_at is not None

    # 4. She proposes an item for the agenda.
    page.get_by_label("What would you like to talk about?").fill("Travel costs for meetings")
    page.get_by_label("Tell us a bit more (optional)").fill(
        "Taxis are hard to book in the mornings."
    )
    page.get_by_label("Who will speak to it (optional)").fill("Me")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my proposal").click()
    assert page.url == detail_url
    assert "We have your proposal" in page.get_by_role("status").inner_text()
    assert page.get_by_role("heading", name="Your proposals").is_visible()
    assert page.get_by_text("Waiting for the PIE team to decide").is_visible()
    assert_no_axe_violations(page, "portal-meeting-proposed")
    item = AgendaItem.objects.get(meeting=meeting)
    assert (item.title, item.description, item.speaker, item.status) == (
        "Travel costs for meetings",
        "Taxis are hard to book in the mornings.",
        "Me",
        AgendaItem.Status.PROPOSED,
    )
    assert item.proposed_by.username == "advisor"
