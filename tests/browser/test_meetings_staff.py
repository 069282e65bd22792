"""The PIE team's meeting pages in a real browser: the coordinator finds a meeting, invites
the PIEG (seeing a clash warning first), and decides on the agenda.

Every page must pass axe-core (WCAG 2.2 AA) with zero violations, including the warning
and error states.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_no_axe_violations, h1, login

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Spring PIEG"


@pytest.fixture
def meeting(register):
    """The demo register (10 active PIEG members among ~30 advisors), a PIEG meeting next
    week with one proposed agenda item, and a workshop at the same time that one PIEG
    member is already invited to."""
    from advisors.models import Advisor
    from meetings.models import AgendaItem, Invitation, Meeting

    start = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=7)
    meeting = Meeting.objects.create(
        title=TITLE,
        type=Meeting.Type.PIEG,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        mode=Meeting.Mode.BOTH,
        location="Room 2.14, Cornwallis Building",
        step_free_access=True,
        hearing_loop=True,
        agenda_deadline=start - datetime.timedelta(days=2),
    )
    workshop = Meeting.objects.create(
        title="Care homes workshop",
        type=Meeting.Type.WORKSHOP,
        starts_at=start + datetime.timedelta(hours=1),
        ends_at=start + datetime.timedelta(hours=3),
    )
    busy = Advisor.objects.active().filter(pieg_member=True).order_by("last_name").first()
    Invitation.objects.create(meeting=workshop, advisor=busy, rsvp=Invitation.RSVP.YES)
    AgendaItem.objects.create(
        meeting=meeting, title="Transport to meetings", proposed_by=register["advisor"], order=1
    )
    meeting.busy_advisor = busy
    return meeting


def test_coordinator_invites_the_pieg_and_decides_the_agenda(page, live_server, meeting):
    from advisors.models import Advisor
    from meetings.models import AgendaItem

    login(page, live_server, "coordinator", DEMO_PASSWORD)

    # 1. The list of upcoming meetings.
    response = page.goto(f"{live_server.url}/staff/meetings/")
    assert response.status == 200
    assert h1(page) == "Meetings"
    assert page.get_by_label("Type of meeting").is_visible()
    assert page.get_by_role("link", name="Schedule a meeting (in the admin)").is_visible()
    assert_no_axe_violations(page, "staff-meetings")

    page.get_by_label("Type of meeting").select_option(label="PIEG")
    with page.expect_navigation():
        page.get_by_role("button", name="Show meetings").click()
    assert page.get_by_role("link", name=TITLE).is_visible()
    assert page.get_by_role("link", name="Care homes workshop").count() == 0

    # 2. The meeting, with nobody invited yet.
    with page.expect_navigation():
        page.get_by_role("link", name=TITLE).click()
    assert page.url == f"{live_server.url}/staff/meetings/{meeting.pk}/"
    assert h1(page) == TITLE
    assert page.get_by_text("No one is invited yet.").is_visible()
    assert_no_axe_violations(page, "staff-meeting-detail-empty")

    # 3. Invite the PIEG: first a warning about the member already at the workshop.
    with page.expect_navigation():
        page.get_by_role("link", name="Invite advisors").first.click()
    assert h1(page) == f"Invite advisors: {TITLE}"
    assert_no_axe_violations(page, "staff-meeting-invite")

    page.get_by_label("The whole PIEG (every active PIEG member)").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Invite", exact=True).click()
    warning = page.get_by_role("alert")
    assert (
        f"{meeting.busy_advisor.full_name} is already invited to Care homes workshop at an overlapping time"
        in (" ".join(warning.inner_text().split()))
    )
    assert meeting.invitations.count() == 0
    assert_no_axe_violations(page, "staff-meeting-invite-clash")

    with page.expect_navigation():
        page.get_by_role("button", name="Invite anyway").click()
    pieg = Advisor.objects.active().filter(pieg_member=True)
    assert page.url == f"{live_server.url}/staff/meetings/{meeting.pk}/"
    assert f"{pieg.count()} advisors invited." in page.get_by_role("status").inner_text()
    assert set(meeting.invitations.values_list("advisor_id", flat=True)) == set(
        pieg.values_list("pk", flat=True)
    )
    roster = page.get_by_role("table")
    assert roster.get_by_role("rowheader", name=meeting.busy_advisor.full_name).is_visible()
    assert roster.get_by_text("Not answered yet").first.is_visible()
    assert_no_axe_violations(page, "staff-meeting-detail-roster")

    # 4. The agenda: declining without a reason is refused, with the reason next to the item.
    with page.expect_navigation():
        page.get_by_role("link", name="Agenda: decide on proposed items and publish").click()
    assert h1(page) == f"Agenda: {TITLE}"
    assert_no_axe_violations(page, "staff-meeting-agenda")

    page.get_by_label("Decision on “Transport to meetings”").select_option(label="Declined")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the decisions").click()
    assert page.locator("#error-summary").is_visible()
    assert page.title().startswith("Error: ")
    assert AgendaItem.objects.get(meeting=meeting).status == AgendaItem.Status.PROPOSED
    assert_no_axe_violations(page, "staff-meeting-agenda-errors")

    page.get_by_label("Decision on “Transport to meetings”").select_option(label="Accepted")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the decisions").click()
    assert AgendaItem.objects.get(meeting=meeting).status == AgendaItem.Status.ACCEPTED
    with page.expect_navigation():
        page.get_by_role("button", name="Publish the agenda").click()
    assert "The agenda is published" in page.get_by_role("status").inner_text()
    assert page.get_by_text("Published on").is_visible()
    assert_no_axe_violations(page, "staff-meeting-agenda-published")
