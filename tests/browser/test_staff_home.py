"""The coordinator's home, keyboard only: sign in, Tab to a work-queue link, follow it with
Enter; axe-core on both pages, no sideways scroll at 320 px, screenshots at 1280 and 320 px."""

import pytest
from django.utils import timezone

from ascru_pie.demo import DEMO_PASSWORD
from payments.models import Claim
from tests.browser.conftest import (
    SCREENSHOTS,
    assert_no_axe_violations,
    assert_reflows,
    login,
)
from tests.factories import AdvisorFactory, make_claim

pytestmark = pytest.mark.django_db(transaction=True)

HOMES = SCREENSHOTS / "homes"
# More Tab presses than the header and the queue above the link can need.
MAX_TABS = 60


def _claims_waiting(n: int) -> None:
    advisor = AdvisorFactory(first_name="Grace", last_name="Hopper")
    for _ in range(n):
        claim = make_claim(advisor)
        Claim.objects.filter(pk=claim.pk).update(activity_date=timezone.localdate())


def _tab_to(page, text: str) -> None:
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.textContent.trim()")
        if focused == text:
            return
    pytest.fail(f"{text!r} was not reached in {MAX_TABS} presses of Tab")


def test_coordinator_follows_a_work_queue_link_by_keyboard(page, live_server, demo_users):
    _claims_waiting(2)
    login(page, live_server, "coordinator", DEMO_PASSWORD)
    assert page.url == f"{live_server.url}/staff/"

    queue = page.get_by_role("region", name="Waiting for you")
    # Something waiting comes first, with its count; the rest say so calmly.
    first = queue.get_by_role("listitem").first
    assert "Claims to approve" in first.inner_text()
    assert "2 waiting" in first.inner_text()
    assert queue.get_by_text("Nothing waiting").count() > 0
    assert "worker" not in page.locator("main").inner_text().lower()

    # The staff header fits on one line at 1280 px, and nothing scrolls sideways.
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= 80, f"the header wraps: {header}"
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"sideways scroll at 1280 px: {widths}"

    assert_no_axe_violations(page, "staff-home-work-queue")
    HOMES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(HOMES / "staff-home-1280.png"), full_page=True)

    _tab_to(page, "Claims to approve")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/staff/payments/"
    assert page.get_by_text("Grace Hopper").count() >= 1
    assert_no_axe_violations(page, "staff-home-followed-to-claims")

    page.goto(f"{live_server.url}/staff/")
    assert_reflows(page, "staff-home", width=320)
    page.screenshot(path=str(HOMES / "staff-home-320.png"), full_page=True)
    assert_no_axe_violations(page, "staff-home-320px")


def test_finance_sees_only_payment_work(page, live_server, demo_users):
    login(page, live_server, "finance", DEMO_PASSWORD)
    assert page.url == f"{live_server.url}/staff/"
    queue = page.get_by_role("region", name="Waiting for you").inner_text()
    assert "Claims to approve" in queue
    assert "New bank details to confirm" in queue
    assert "Applications to review" not in queue
    assert_no_axe_violations(page, "staff-home-finance")


def test_system_page_is_for_superusers(page, live_server, demo_users):
    login(page, live_server, "coordinator", DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}/staff/system/")
    assert response.status == 403
    assert page.locator("h1").count() == 1
