"""The Content Security Policy in a real browser: every role's main pages, the allauth sign-in
pages and a few admin and import-export pages raise no `securitypolicyviolation` at all.

The policy allows no inline script or style (settings: CONTENT_SECURITY_POLICY), so an inline
`<script>`, a `style="..."` attribute, an `onclick="..."` handler, or a `<style>` that a
library injects (htmx's indicator style, for one) shows up here as a violation. Violations are
collected by a listener added before any page script runs, and from the console.

Staff are signed in with a session that already holds a second factor (as after typing a code
from their authenticator app), so the test reaches the staff pages the way they do.
"""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || document.location.pathname}:${e.lineNumber} ${e.sample || ""}`);
});
"""


class Violations:
    """Every CSP violation seen by one browser page, by the page it happened on."""

    def __init__(self, page) -> None:
        self.page, self.found = page, []
        page.context.add_init_script(COLLECT_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.found.append(f"console on {self.page.url}: {message.text[:300]}")

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status < 400, (url, response and response.status)
        assert "frame-ancestors 'none'" in response.headers.get("content-security-policy", ""), (
            f"no CSP header on {url}"
        )
        self.page.wait_for_load_state("networkidle")
        self.check()

    def check(self) -> None:
        self.found += [f"{self.page.url}: {v}" for v in self.page.evaluate("window.__csp || []")]

    def assert_none(self) -> None:
        assert not self.found, "CSP violations:\n" + "\n".join(self.found)


def _sign_in_with_second_factor(page, live_server, user) -> None:
    """A session for `user` that holds a password and an authenticator-app sign-in."""
    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "username": user.username},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session.save()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": live_server.url,
            }
        ]
    )


def _nav_links(page) -> list[str]:
    return page.eval_on_selector_all("#main-nav a.nav-link", "links => links.map(a => a.href)")


def test_public_and_sign_in_pages(page, live_server, lookups):
    seen = Violations(page)
    for name in ("advisors:apply", "advisors:privacy-notice", "login", "password_reset"):
        seen.visit(live_server.url + reverse(name))
    seen.assert_none()


def test_advisor_pages(page, live_server, register):
    seen = Violations(page)
    login(page, live_server, "advisor", DEMO_PASSWORD)
    seen.check()
    for name in (
        "portal-home",
        "advisors:profile",
        "payments:portal",
        "payments:portal-expense",
        "payments:portal-time",
        "payments:portal-preferences",
        "reports:portal",
        "impacts:portal",
        "impacts:portal-surveys",
    ):
        seen.visit(live_server.url + reverse(name))
    # The statement page's print button is wired by a static script, not an onclick.
    seen.visit(live_server.url + reverse("payments:portal"))
    statement = page.get_by_role("link", name="statement", exact=False)
    if statement.count():
        with page.expect_navigation():
            statement.first.click()
        assert page.locator("#print-statement").count() == 1
        seen.check()
    seen.assert_none()


@pytest.mark.parametrize("username", ["coordinator", "researcher", "manager", "finance"])
def test_each_staff_roles_main_pages(page, live_server, register, username):
    seen = Violations(page)
    _sign_in_with_second_factor(page, live_server, register[username])
    seen.visit(live_server.url + "/")
    links = _nav_links(page)
    assert links, f"{username} has no menu"
    for url in links:
        seen.visit(url)
    seen.assert_none()


def test_the_dashboard_charts_and_htmx_polling(page, live_server, register):
    """Charts are SVG without style attributes; htmx polls the report list without its
    injected indicator <style>."""
    seen = Violations(page)
    _sign_in_with_second_factor(page, live_server, register["manager"])
    seen.visit(live_server.url + reverse("reports:home"))
    assert page.locator("svg.bar-chart").count() >= 1
    assert page.evaluate("() => typeof htmx !== 'undefined' && !htmx.config.includeIndicatorStyles")
    assert page.locator("style").count() == 0
    with page.expect_navigation():
        page.get_by_role("button", name="Ask for the report").first.click()
    page.wait_for_timeout(2500)  # one htmx poll of the list
    seen.check()
    seen.assert_none()


def test_admin_and_import_export_pages(page, live_server, register):
    from advisors.models import Advisor

    seen = Violations(page)
    _sign_in_with_second_factor(page, live_server, register["coordinator"])
    advisor = Advisor.objects.first()
    for url in (
        reverse("admin:index"),
        reverse("admin:advisors_advisor_changelist"),
        reverse("admin:advisors_advisor_change", args=[advisor.pk]),
        reverse("admin:meetings_meeting_add"),
        reverse("admin:advisors_advisor_import"),
    ):
        seen.visit(live_server.url + url)
    # The export page: "Select all" still clears and ticks every field (no inline handler).
    seen.visit(live_server.url + reverse("admin:advisors_advisor_export"))
    toggle = page.locator("input.select-toggle")
    if toggle.count():
        boxes = page.locator(".selectable-field-export-row input[type=checkbox]")
        toggle.uncheck()
        assert boxes.count() > 0
        assert all(not boxes.nth(i).is_checked() for i in range(boxes.count()))
        toggle.check()
        assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
        seen.check()
    seen.assert_none()


def test_two_factor_set_up_and_account_pages(page, live_server, register):
    """allauth's pages (ours in templates/account, mfa): the TOTP QR code is a data: image."""
    seen = Violations(page)
    _sign_in_with_second_factor(page, live_server, register["coordinator"])
    seen.visit(live_server.url + reverse("mfa_activate_totp"))  # no authenticator yet
    assert page.locator("img[src^='data:']").count() >= 1
    for name in ("mfa_index", "password_change"):
        seen.visit(live_server.url + reverse(name))
    seen.assert_none()
