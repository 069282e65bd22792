"""The advisor's day, keyboard only (issue 14): Ada signs in, answers an invitation from her
home, claims an expense of £12.40 with a photo of the receipt, and, once the PIE team has
paid it, sees the payment on her payments page.

Tab, Shift+Tab, Enter, Space, the arrow keys and typing only: no clicks. Every page she
visits passes axe-core (WCAG 2.2 AA), has form controls at 3:1 against their background
and reflows at 320 px (1280 px at 400% zoom).
"""

from __future__ import annotations

import base64
import datetime
import io

import pytest
from django.utils import timezone

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import (
    VIEWPORT,
    assert_controls_contrast,
    assert_no_axe_violations,
    assert_reflows,
    h1,
    login,
)

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Autumn PIEG meeting"
# A real 1 x 1 pixel PNG: the photo of her receipt.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
MAX_TABS = 120


@pytest.fixture
def day(register):
    """The demo register (Ada Advisor is the "advisor" login), the example rate card, and a
    meeting in ten days that Ada has not answered yet."""
    from advisors.models import Advisor
    from homes import demo as homes_demo
    from meetings.models import Invitation, Meeting
    from tests.factories import example_rate_card

    example_rate_card()
    homes_demo.seed(stdout=io.StringIO())
    ada = Advisor.objects.get(user__username="advisor")
    starts = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=10), datetime.time(13, 0)
        )
    )
    meeting = Meeting.objects.create(
        title=TITLE,
        type=Meeting.Type.PIEG,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
    )
    invitation = Invitation.objects.create(meeting=meeting, advisor=ada)
    return {"ada": ada, "invitation": invitation, "users": register}


def tab_to(page, locator, presses: int = MAX_TABS, *, back: bool = False) -> None:
    """Press Tab (Shift+Tab with back=True) until `locator` has the focus, as a keyboard user
    would; fail after `presses` presses, listing what got the focus on the way."""
    seen = []
    for _ in range(presses):
        if locator.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
        seen.append(
            page.evaluate(
                "() => { const el = document.activeElement; return el.tagName + ' ' +"
                " (el.textContent || el.name || el.id || '').replace(/\\s+/g, ' ').trim()"
                ".slice(0, 40); }"
            )
        )
    pytest.fail(f"Tab never reached {locator}; focused in turn: {seen[-25:]}", pytrace=False)


def follow(page, locator) -> None:
    """Tab to a link or button and press Enter, waiting for the next page."""
    tab_to(page, locator)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def checks(page, name: str, *, reload: bool = True) -> None:
    """Axe, form-control contrast, and reflow at 320 px; then back to the desktop width."""
    assert_no_axe_violations(page, name)
    assert_controls_contrast(page, name)
    assert_reflows(page, name, width=320, reload=reload)
    page.set_viewport_size(VIEWPORT)
    # Start the next Tab walk from the top of the page.
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


def test_advisors_day_keyboard_only(new_page, live_server, day):
    from meetings.models import Invitation
    from payments.models import Claim
    from payments.services import batches, claims

    ada, invitation, users = day["ada"], day["invitation"], day["users"]
    page = new_page()

    # 1. She signs in and lands on her home, which asks her about the meeting.
    login(page, live_server, "advisor", DEMO_PASSWORD)
    assert page.url == f"{live_server.url}/portal/"
    assert h1(page).startswith("Hello")
    checks(page, "day-advisor-home")

    # 2. She answers the invitation from the home: yes.
    follow(page, page.get_by_role("button", name=f"Yes, I will come to {TITLE}"))
    assert page.url == f"{live_server.url}/portal/"
    assert page.get_by_text(f"You will come to “{TITLE}”").is_visible()
    invitation.refresh_from_db()
    assert invitation.rsvp == Invitation.RSVP.YES
    checks(page, "day-advisor-home-answered")

    # 3. Her payments page, from the home; then the expense form.
    follow(page, page.get_by_role("link", name="All your payments and expenses"))
    assert h1(page) == "Your payments"
    checks(page, "day-advisor-payments")
    follow(page, page.get_by_role("link", name="Claim expenses"))
    assert h1(page) == "Claim expenses"
    checks(page, "day-advisor-expense")

    # The kind of expense: Tab into the radio group, then the arrow keys to "Travel".
    travel = page.get_by_label("Travel", exact=True)
    group = page.locator("input[type=radio][name=expense_type]")
    tab_to(page, group.first)
    for _ in range(group.count()):
        if travel.is_checked():
            break
        page.keyboard.press("ArrowDown")
    if not travel.is_checked():
        page.keyboard.press("Space")
    assert travel.is_checked()

    spent_on = timezone.localdate() - datetime.timedelta(days=2)
    tab_to(page, page.get_by_label("Date of the expense"))
    # Chromium draws the date box in its own (US) order, whatever the page's locale: month,
    # day, year, each part moving on by itself.
    page.keyboard.type(spent_on.strftime("%m%d%Y"))
    assert page.get_by_label("Date of the expense").input_value() == spent_on.isoformat()
    tab_to(page, page.get_by_label("How much did you spend? (£)"))
    page.keyboard.type("£12.40")
    tab_to(page, page.get_by_label("What was it for?"))
    page.keyboard.type("Bus to the meeting and back")
    # The receipt: she Tabs to the file box; the file itself is picked in the system's own
    # dialog, which is not part of the page, so the test hands the file to the focused box.
    receipt = page.get_by_label("Receipt (optional, but please add one if you can)")
    tab_to(page, receipt)
    receipt.set_input_files(files=[{"name": "bus.png", "mimeType": "image/png", "buffer": PNG}])
    follow(page, page.get_by_role("button", name="Send my claim"))
    assert page.url == f"{live_server.url}/portal/payments/", page.locator("main").inner_text()
    assert "We have your claim for £12.40" in page.get_by_role("status").inner_text()
    assert page.get_by_text("Submitted: waiting for the PIE team to check it").is_visible()
    claim = ada.claims.get()
    assert (claim.status, str(claim.amount), claim.activity_date) == (
        Claim.Status.SUBMITTED,
        "12.40",
        spent_on,
    )
    with claim.receipt.open("rb") as handle:
        assert handle.read() == PNG
    checks(page, "day-advisor-claimed")

    # 4. The PIE team approves it, builds a batch, finance approves and it is paid (the
    # service layer, as the staff pages call it).
    coordinator, finance = users["coordinator"], users["finance"]
    claims.claim_approve(claim=claim, by=coordinator)
    batch = batches.batch_build(by=coordinator)
    batches.batch_approve(batch=batch, by=finance)
    batches.batch_mark_paid(batch=batch, paid_on=timezone.localdate(), by=finance)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID

    # 5. She goes home and back to her payments: it says paid, with the day.
    follow(page, page.get_by_role("link", name="Your portal", exact=True))
    assert page.url == f"{live_server.url}/portal/"
    follow(page, page.get_by_role("link", name="All your payments and expenses"))
    assert h1(page) == "Your payments"
    row = page.get_by_role("row").filter(has_text="Bus to the meeting and back")
    assert "£12.40" in row.inner_text()
    assert "Paid" in row.inner_text(), row.inner_text()
    checks(page, "day-advisor-payments-paid")
