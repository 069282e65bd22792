"""A phone-only advisor gets a login, keyboard only (issue 14): the coordinator opens the
advisor in the admin, is told they need an email address first, records it, gives them a
login and sends the invitation; the advisor opens the link from the email and sets a
password. Django's admin pages are scanned and reported; our own pages must pass axe."""

from __future__ import annotations

import re

import pytest

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import admin_axe_report, assert_no_axe_violations, login

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_ONLY_EMAIL = "pat.phone@example.net"


def press(page, locator) -> None:
    """Move the keyboard focus to a control and press Enter, waiting for the next page."""
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_coordinator_gives_a_phone_only_advisor_a_login_and_they_set_a_password(
    page, new_page, live_server, lookups, demo_users
):
    from django.core import mail

    from advisors.models import Advisor
    from tests.factories import AdvisorFactory

    pat = AdvisorFactory(
        first_name="Pat",
        last_name="Phone",
        email="",
        phone="01632 960 111",
        contact_method="phone",
    )
    mail.outbox.clear()
    login(page, live_server, "coordinator", DEMO_PASSWORD)

    change = f"{live_server.url}/admin/advisors/advisor/{pat.pk}/change/"
    page.goto(change)
    assert page.get_by_text("Pat Phone has no email address, so we cannot send them").is_visible()
    admin_axe_report(page, "admin-advisor-no-email")

    # She asks Pat for an email address on the phone, types it in and saves.
    page.locator("#id_email").focus()
    page.keyboard.type(PHONE_ONLY_EMAIL)
    press(page, page.get_by_role("button", name="Save and continue editing"))
    assert page.url == change

    press(page, page.get_by_role("link", name="Give a login and send the invitation"))
    assert page.url.endswith(f"/admin/advisors/advisor/{pat.pk}/invite/")
    assert PHONE_ONLY_EMAIL in page.locator("#content-main").inner_text()
    admin_axe_report(page, "admin-advisor-invite")
    press(page, page.get_by_role("button", name="Give a login and send the invitation"))
    assert page.url == change
    assert page.get_by_text("a login and sent the invitation").is_visible()
    assert page.get_by_text("The invitation was last sent on").is_visible()
    assert page.get_by_role("link", name="Send the invitation again").is_visible()

    pat = Advisor.objects.select_related("user").get(pk=pat.pk)
    assert pat.user is not None and not pat.user.has_usable_password()
    [message] = [m for m in mail.outbox if m.to == [PHONE_ONLY_EMAIL]]
    link = re.search(r"https?://\S+(/accounts/invitation/\S+/)", message.body).group(1)

    # Pat, on her own computer, opens the link and chooses a password, keyboard only.
    advisor_page = new_page()
    advisor_page.goto(f"{live_server.url}{link}")
    assert_no_axe_violations(advisor_page, "invitation-accept")
    advisor_page.locator("#id_new_password1").focus()
    advisor_page.keyboard.type("a long new password 42")
    advisor_page.keyboard.press("Tab")
    assert advisor_page.evaluate("() => document.activeElement.id") == "id_new_password2"
    advisor_page.keyboard.type("a long new password 42")
    with advisor_page.expect_navigation():
        advisor_page.keyboard.press("Enter")
    assert advisor_page.url.rstrip("/").endswith("/portal")
    assert advisor_page.get_by_text("Your password is set and you are signed in").is_visible()
    pat.user.refresh_from_db()
    assert pat.user.check_password("a long new password 42")
