"""Two-step sign-in in a browser: a coordinator with no app yet sets one up and gets in; the
code page and the settings page pass axe-core."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import (
    _give_demo_staff_their_app,
    assert_no_axe_violations,
    login,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in_with_password_only(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_coordinator_sets_up_an_authenticator_app_and_reaches_the_staff_pages(
    page, live_server, demo_users
):
    _sign_in_with_password_only(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/staff/")
    assert "/accounts/2fa/totp/activate/" in page.url
    assert page.get_by_text("Staff accounts need two-step sign-in").is_visible()
    assert_no_axe_violations(page, "two-step-set-up")
    secret = page.locator("#setup-key").inner_text().strip()
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    page.get_by_label("Authenticator code").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on two-step sign-in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your recovery codes"
    assert_no_axe_violations(page, "two-step-recovery-codes")
    page.goto(f"{live_server.url}/staff/")
    assert page.url == f"{live_server.url}/staff/"


def test_the_code_page_at_sign_in_is_accessible(page, live_server, demo_users):
    _give_demo_staff_their_app("finance")
    _sign_in_with_password_only(page, live_server, "finance")
    assert "/accounts/2fa/authenticate/" in page.url
    assert_no_axe_violations(page, "two-step-code")


def test_advisor_two_step_settings_page_is_accessible(page, live_server, demo_users):
    login(page, live_server, "advisor", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/accounts/2fa/")
    assert page.get_by_role("link", name="Turn on two-step sign-in").is_visible()
    assert_no_axe_violations(page, "two-step-settings")
