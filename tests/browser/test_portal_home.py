"""The advisor's home in a real browser, keyboard only: Ada signs in, answers an invitation
from the home with Tab and Enter, and reads the confirmation. The home passes axe-core, its
form controls have 3:1 contrast, it reflows at 320 px, and it is photographed at 1280 px and
320 px (test-artifacts/screenshots/homes/)."""

from __future__ import annotations

import datetime
import io

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

TITLE = "Winter PIEG meeting"
SHOTS = SCREENSHOTS / "homes"


@pytest.fixture
def invitation(register):
    """The demo register (Ada Advisor is the "advisor" login), and a meeting in ten days that
    Ada has not answered yet."""
    from advisors.models import Advisor
    from meetings.models import Invitation, Meeting

    ada = Advisor.objects.get(user__username="advisor")
    day = timezone.localdate() + datetime.timedelta(days=10)
    starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(13, 0)))
    meeting = Meeting.objects.create(
        title=TITLE,
        type=Meeting.Type.PIEG,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=3),
        step_free_access=True,
    )
    return Invitation.objects.create(meeting=meeting, advisor=ada, needs="Large-print papers")


def _tab_to(page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element's accessible text starts with `name`."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate(
            "() => (document.activeElement.textContent || '').replace(/\\s+/g, ' ').trim()"
        )
        if text.startswith(name):
            return
        seen.append(text)
    pytest.fail(f"Tab never reached {name!r}; focused in turn: {seen}")


def test_advisor_answers_an_invitation_from_the_home_with_the_keyboard(
    page, live_server, invitation
):
    from homes import demo as homes_demo
    from meetings.models import Invitation

    homes_demo.seed(stdout=io.StringIO())
    login(page, live_server, "advisor", DEMO_PASSWORD)
    assert page.url == f"{live_server.url}/portal/"
    assert h1(page).startswith("Hello")
    assert page.get_by_text("Can you come? Please tell us").is_visible()
    assert_no_axe_violations(page, "portal-home")
    assert_controls_contrast(page, "portal-home")

    # Keyboard only: Tab to "Yes, I will come" for the winter meeting, and press Enter.
    page.locator("body").focus()
    _tab_to(page, f"Yes, I will come to {TITLE}")
    # A button answers to Space as well as Enter: Space here.
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert page.url == f"{live_server.url}/portal/"
    assert page.get_by_text(f"You will come to “{TITLE}”").is_visible()
    invitation.refresh_from_db()
    assert invitation.rsvp == Invitation.RSVP.YES
    assert invitation.needs == "Large-print papers"
    assert page.get_by_text("You said yes, you will come").first.is_visible()
    assert_no_axe_violations(page, "portal-home-answered")

    # The home at a desktop width and at 320 px (1280 px at 400% zoom).
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/portal/")
    page.screenshot(path=str(SHOTS / "portal-home-1280.png"), full_page=True)
    assert_reflows(page, "portal-home", width=320, screenshot=False)
    page.screenshot(path=str(SHOTS / "portal-home-320.png"), full_page=True)
    assert_no_axe_violations(page, "portal-home-320")


def test_advisor_opens_the_library_with_the_keyboard(page, live_server, register):
    from homes import demo as homes_demo

    homes_demo.seed(stdout=io.StringIO())
    login(page, live_server, "advisor", DEMO_PASSWORD)
    page.locator("body").focus()
    _tab_to(page, "The library")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert h1(page) == "Guides and training"
    assert page.get_by_role("link", name="Welcome pack for new public advisors").is_visible()
    assert_no_axe_violations(page, "portal-resources")
    assert_reflows(page, "portal-resources", width=320)
