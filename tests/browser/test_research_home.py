"""The researcher's home, and choosing advisors with the keyboard only.

The researcher lands on /research/ and sees what needs doing (axe, control contrast, reflow
at 320 px; screenshots at 1280 and 320 px under test-artifacts/screenshots/homes/). The
coordinator then chooses advisors for a closed opportunity using only Tab, Space, typing and
Enter: over the places is refused until she ticks the override and gives a reason; the
phone-only advisor is listed to phone and ticked off; the selection is undone with a reason.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import (
    SCREENSHOTS,
    assert_controls_contrast,
    assert_no_axe_violations,
    assert_reflows,
    h1,
    login,
)

pytestmark = pytest.mark.django_db(transaction=True)

ROLE = "Reviewer of the interview questions"

# In the page: does the focused element's label, text or value contain `text`?
_FOCUSED_IS = """([text, tag]) => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  if (tag && el.tagName.toLowerCase() !== tag) return false;
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  return [label, el.innerText || "", el.value || ""].some((t) => t.includes(text));
}"""


def tab_to(page, text: str, tag: str = "", presses: int = 120) -> None:
    """Press Tab until the focused control (an element `tag`, if given) says `text`."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(_FOCUSED_IS, [text, tag]):
            return
    pytest.fail(f"Tab never reached a control saying {text!r} on {page.url}", pytrace=False)


@pytest.fixture
def research(register):
    """A project the demo researcher leads: plan sent back with a comment, a £2,000 budget,
    a meeting last week with no impact since, and an opportunity (one place) that closed
    yesterday with Ada (email) and Phil (phone only) interested."""
    from advisors.models import Advisor
    from meetings.models import Meeting
    from projects.models import (
        ExpressionOfInterest,
        Opportunity,
        PIEPlan,
        Project,
        ProjectMembership,
        ReviewComment,
    )

    users = register
    project = Project.objects.create(
        title="Home care study", status=Project.Status.ACTIVE, pie_budget=Decimal("2000.00")
    )
    ProjectMembership.objects.create(project=project, user=users["researcher"], role="lead")
    plan = PIEPlan.objects.create(
        project=project, status=PIEPlan.Status.CHANGES_REQUESTED, created_by=users["researcher"]
    )
    ReviewComment.objects.create(
        plan=plan,
        section="general",
        comment="Please add who the advisors' named contact is.",
        by=users["coordinator"],
    )
    held = timezone.now().replace(microsecond=0) - datetime.timedelta(days=6)
    Meeting.objects.create(
        title="Advisory group, first meeting",
        type=Meeting.Type.PIEG,
        project=project,
        starts_at=held,
        ends_at=held + datetime.timedelta(hours=2),
    )
    today = timezone.localdate()
    opportunity = Opportunity.objects.create(
        project=project,
        role=ROLE,
        description="Read our draft interview questions and tell us what to change.",
        time_commitment="One 2-hour online meeting",
        payment="Paid at NIHR rates",
        closing_date=today - datetime.timedelta(days=1),
        places=1,
        posted_by=users["researcher"],
    )
    ada = Advisor.objects.get(user__username="advisor")
    phil = Advisor.objects.create(
        first_name="Phil",
        last_name="Phoneonly",
        contact_method="phone",
        phone="01632 960 001",
        joined_on=today,
    )
    for advisor in (ada, phil):
        ExpressionOfInterest.objects.create(
            opportunity=opportunity, advisor=advisor, note="I use home care."
        )
    return {"project": project, "opportunity": opportunity, "ada": ada, "phil": phil}


def test_the_researcher_home_says_what_needs_doing(page, live_server, research):
    login(page, live_server, "researcher", DEMO_PASSWORD)
    assert page.url == f"{live_server.url}/research/"
    assert h1(page) == "Research"
    assert page.locator("#n-follow-up").inner_text() == "1"
    assert page.locator("#n-awaiting").inner_text() == "1"
    assert page.get_by_text("Please add who the advisors' named contact is.").is_visible()
    assert page.get_by_role(
        "link", name="Record what changed after “Advisory group, first meeting”"
    ).is_visible()
    assert page.get_by_text("£2,000.00").is_visible()
    assert_no_axe_violations(page, "research-home")
    assert_controls_contrast(page, "research-home")
    (SCREENSHOTS / "homes").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "homes" / "research-home-1280.png"), full_page=True)
    assert_reflows(page, "research-home", width=320, screenshot=False)
    page.screenshot(path=str(SCREENSHOTS / "homes" / "research-home-320.png"), full_page=True)


def test_the_coordinator_chooses_advisors_with_the_keyboard_only(page, live_server, research):
    from projects.models import ExpressionOfInterest, SelectionEvent

    ada, phil = research["ada"], research["phil"]
    login(page, live_server, "coordinator", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/research/")
    assert page.locator("#n-awaiting").inner_text() == "1"
    assert_no_axe_violations(page, "research-home-pie-team")

    # From the home to the selection page, by keyboard.
    tab_to(page, f"Choose advisors for “{ROLE}”")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert h1(page) == f"Choose advisors: {ROLE}"

    # Two people for one place: refused, with the reason why.
    tab_to(page, ada.full_name, tag="input")
    page.keyboard.press("Space")
    tab_to(page, phil.full_name, tag="input")
    page.keyboard.press("Space")
    tab_to(page, "Select the ticked people", tag="button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    assert "This would select 2 people for 1 place" in summary.inner_text()
    assert_no_axe_violations(page, "opportunity-select-over-places")
    assert not ExpressionOfInterest.objects.filter(status="selected").exists()

    # The override, with a reason: both are selected.
    tab_to(page, "Select more people than there are places", tag="input")
    page.keyboard.press("Space")
    tab_to(page, "Why more people than places", tag="input")
    page.keyboard.type("Phil may not be able to make every date")
    tab_to(page, "Select the ticked people", tag="button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    status = page.get_by_role("status").inner_text()
    assert "1 person emailed the decision" in status
    assert "1 person to phone or write to" in status
    assert page.get_by_role("heading", name="People to tell by phone or post").is_visible()
    assert page.get_by_text("01632 960 001").is_visible()
    assert_no_axe_violations(page, "opportunity-select-to-phone")

    # Phil is phoned, and ticked off the list.
    tab_to(page, f"Phoned {phil.full_name}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"{phil.full_name} has been told" in page.get_by_role("status").inner_text()
    assert page.get_by_role("heading", name="People to tell by phone or post").count() == 0

    # The selection is undone, with a reason.
    tab_to(page, "Undo this selection")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert h1(page) == f"Undo the selection: {ROLE}"
    assert_no_axe_violations(page, "opportunity-undo")
    tab_to(page, "Why are you undoing the selection?", tag="textarea")
    page.keyboard.type("We meant to wait for more people")
    tab_to(page, "Undo the selection", tag="button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "The selection is undone" in page.get_by_role("status").inner_text()
    assert set(ExpressionOfInterest.objects.values_list("status", flat=True)) == {"interested"}
    assert SelectionEvent.objects.filter(action="undone").count() == 2
    assert_no_axe_violations(page, "opportunity-select-undone")
