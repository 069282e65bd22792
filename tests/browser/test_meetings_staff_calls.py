"""The coordinator's day with a phone-only advisor, keyboard only: invite several advisors
at once (one of them phone-only), see the call on the call list, tick it off with what came
of it, and record the answer she gave on the phone on the meeting's page.

Every page passes axe-core (WCAG 2.2 AA).
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_no_axe_violations, h1, login

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Summer PIEG"


@pytest.fixture
def meeting(register):
    """A PIEG meeting in ten days, and Ann Smith, who has no email and prefers phone."""
    from advisors.models import Advisor, ContactMethod
    from meetings.models import Meeting

    start = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=10)
    meeting = Meeting.objects.create(
        title=TITLE,
        type=Meeting.Type.PIEG,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    meeting.ann = Advisor.objects.create(
        first_name="Ann",
        last_name="Smith",
        phone="01234 567890",
        contact_method=ContactMethod.PHONE,
        joined_on=datetime.date(2025, 1, 1),
    )
    meeting.other = (
        Advisor.objects.active()
        .filter(contact_method=ContactMethod.EMAIL)
        .exclude(email="")
        .order_by("last_name")
        .first()
    )
    return meeting


def test_coordinator_invites_calls_and_records_a_phoned_in_answer(page, live_server, meeting):
    from meetings.models import Invitation
    from reminders.models import Delivery

    login(page, live_server, "coordinator", DEMO_PASSWORD)
    ann, other = meeting.ann, meeting.other

    # 1. Invite two chosen advisors in one go, with the keyboard.
    page.goto(f"{live_server.url}/staff/meetings/{meeting.pk}/invite/")
    assert h1(page) == f"Invite advisors: {TITLE}"
    page.get_by_label("Advisors I choose below").focus()
    page.keyboard.press("Space")
    page.get_by_label("Ann Smith (Phone)").focus()
    page.keyboard.press("Space")
    page.get_by_label(f"{other.full_name} (Email)").focus()
    page.keyboard.press("Space")
    assert_no_axe_violations(page, "staff-invite-chosen")
    page.get_by_role("button", name="Invite", exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/staff/meetings/{meeting.pk}/"
    status = " ".join(page.get_by_role("status").all_inner_texts())
    assert "2 advisors invited." in status
    assert "Ann Smith" in status and "list of people to call or write to" in status
    assert set(meeting.invitations.values_list("advisor_id", flat=True)) == {ann.pk, other.pk}

    # 2. Ann is on the call list, with what to say.
    page.goto(f"{live_server.url}/staff/reminders/")
    assert h1(page) == "Reminders"
    calls = page.locator("table[aria-labelledby='call-heading']")
    assert f"Phone Ann Smith on 01234 567890 to invite them to {TITLE} on" in calls.inner_text()
    assert_no_axe_violations(page, "staff-reminders-call-list")

    # 3. Tick the call off, with what came of it.
    page.get_by_label("What came of it (optional): Ann Smith").focus()
    page.keyboard.type("Said yes, needs a taxi")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Call to Ann Smith ticked off." in page.get_by_role("status").inner_text()
    assert page.get_by_text("No one to call.").is_visible()
    done = page.locator("table[aria-labelledby='done-heading']")
    assert "Said yes, needs a taxi" in done.inner_text()
    call = Delivery.objects.get(kind="invite", advisor=ann)
    assert call.done_by.username == "coordinator" and call.done_at is not None
    assert_no_axe_violations(page, "staff-reminders-call-done")

    # 4. Record her answer on the meeting's page.
    page.goto(f"{live_server.url}/staff/meetings/{meeting.pk}/")
    page.get_by_label("Answer (Ann Smith)").focus()
    page.keyboard.press("y")  # "Yes, coming"
    assert page.get_by_label("Told us (Ann Smith)").input_value() == "phone"
    assert_no_axe_violations(page, "staff-meeting-record-answer")
    page.get_by_role("button", name="Save answer for Ann Smith").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Answer saved for Ann Smith: Yes, coming (told us by phone)." in (
        page.get_by_role("status").inner_text()
    )
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Ann Smith"))
    assert "Told us by phone, entered by" in row.inner_text()
    invitation = Invitation.objects.get(meeting=meeting, advisor=ann)
    assert (invitation.rsvp, invitation.answered_how) == ("yes", "phone")
    assert invitation.answered_by.username == "coordinator"
    assert_no_axe_violations(page, "staff-meeting-answer-recorded")
