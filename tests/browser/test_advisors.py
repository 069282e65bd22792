"""Advisors feature in a real browser: the public application, an advisor's own details,
the equality summary (aggregates only) and the applications admin.

Every page we own must pass axe-core (WCAG 2.2 AA) with zero violations, in its normal
and its error state; Django admin pages are scanned and reported, never failed.
"""

from __future__ import annotations

import re

import pytest

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import admin_axe_report, assert_no_axe_violations, login

pytestmark = pytest.mark.django_db(transaction=True)

APPLICANT_EMAIL = "rowan.applicant@example.com"


# --- data ---------------------------------------------------------------------------


def _wait_for_error_summary_focus(page) -> None:
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'error-summary'"
    )
    assert page.evaluate("() => document.activeElement.id") == "error-summary"


# --- 1. the public application ------------------------------------------------------


def test_public_application_journey(page, live_server, lookups):
    from advisors.models import Application, EqualityMonitoring

    response = page.goto(f"{live_server.url}/apply/")
    assert response.status == 200, "the application form is public: no sign-in needed"
    assert page.url == f"{live_server.url}/apply/"
    assert page.locator("h1").count() == 1
    assert page.get_by_role("heading", level=1).inner_text() == "Apply to be a Public Advisor"
    assert page.locator("#error-summary").count() == 0
    assert_no_axe_violations(page, "apply")

    # Send it empty: the error summary lists each problem, linked, and takes focus.
    with page.expect_navigation():
        page.get_by_role("button", name="Send my application").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.title().startswith("Error: ")
    _wait_for_error_summary_focus(page)
    assert summary.get_by_role("heading", name="There is a problem").is_visible()
    links = summary.get_by_role("link")
    texts = links.all_inner_texts()
    for expected in (
        "Enter your first name.",
        "Enter your last name.",
        "You asked us to contact you by email: enter your email address.",
        "Tick at least one kind of experience of social care.",
        "To apply, tick the box to say you agree to the privacy notice.",
    ):
        assert expected in texts, f"{expected!r} not in the error summary: {texts}"
    assert summary.get_by_role("link", name="Enter your first name.").get_attribute("href") == (
        "#id_first_name"
    )
    assert page.get_by_label("First name").get_attribute("aria-invalid") == "true"
    assert_no_axe_violations(page, "apply-errors")
    assert Application.objects.count() == 0

    # Fill it in by label, as a person would, and send it.
    page.get_by_label("First name").fill("Rowan")
    page.get_by_label("Last name").fill("Applicant")
    page.get_by_label("Email address").fill(APPLICANT_EMAIL)
    page.get_by_role("radio", name="Email", exact=True).check()
    page.get_by_role("checkbox", name="I am an unpaid carer").check()
    page.get_by_label("What is your age?").select_option(label="45 to 54")
    page.get_by_role("checkbox", name=re.compile(r"^I have read the privacy notice")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send my application").click()

    assert page.url == f"{live_server.url}/apply/thanks/"
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Thank you: we have your application"
    )
    assert_no_axe_violations(page, "apply-thanks")

    applications = Application.objects.filter(email=APPLICANT_EMAIL)
    assert applications.count() == 1
    application = applications.get()
    assert (application.first_name, application.last_name) == ("Rowan", "Applicant")
    assert application.contact_method == "email"
    assert list(application.lived_experience.values_list("code", flat=True)) == ["unpaid_carer"]
    assert application.privacy_notice_version
    equality = EqualityMonitoring.objects.get(application=application)
    assert equality.age_band == EqualityMonitoring.AgeBand.A45_54
    assert equality.sex == ""  # unanswered questions stay unanswered


def test_every_error_summary_link_goes_to_its_field(page, live_server, lookups):
    page.goto(f"{live_server.url}/apply/")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my application").click()
    links = page.locator("#error-summary a")
    assert links.count() >= 5
    broken = []
    for i in range(links.count()):
        link = links.nth(i)
        href = link.get_attribute("href") or ""
        target = href[1:]
        exists = bool(target) and page.evaluate(
            "(id) => document.getElementById(id) !== null", target
        )
        if not exists:
            broken.append(f"{link.inner_text()!r} -> {href!r}")
    assert not broken, f"error summary links with no target: {broken}"


# --- 2. an advisor's own details ----------------------------------------------------


def test_advisor_updates_their_details(page, live_server, register):
    from advisors.models import Advisor

    login(page, live_server, "advisor", DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}/portal/profile/")
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Your details"
    assert page.get_by_text("Ada Advisor", exact=True).is_visible()
    assert_no_axe_violations(page, "advisor-profile")

    new_phone = "01632 960 123"
    new_needs = "Papers in large print, posted a week before each meeting."
    page.get_by_label("Phone number").fill(new_phone)
    page.get_by_label("Support or access needs").fill(new_needs)
    with page.expect_navigation():
        page.get_by_role("button", name="Save my details").click()

    assert page.url == f"{live_server.url}/portal/profile/"
    status = page.get_by_role("status")
    assert status.is_visible()
    assert "Your details have been saved." in status.inner_text()
    assert page.get_by_label("Phone number").input_value() == new_phone
    ada = Advisor.objects.get(user__username="advisor")
    assert ada.phone == new_phone
    assert ada.support_needs == new_needs
    assert_no_axe_violations(page, "advisor-profile-saved")

    # Ask to be phoned but give no number: nothing is saved, and the summary says why.
    page.get_by_role("radio", name="Phone", exact=True).check()
    page.get_by_label("Phone number").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Save my details").click()

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.title().startswith("Error: ")
    _wait_for_error_summary_focus(page)
    error_link = summary.get_by_role(
        "link", name="You asked us to contact you by phone: enter your phone number."
    )
    assert error_link.get_attribute("href") == "#id_phone"
    assert page.get_by_label("Phone number").get_attribute("aria-invalid") == "true"
    assert "Your details have not been saved." in page.get_by_role("status").inner_text()
    ada.refresh_from_db()
    assert ada.phone == new_phone, "an invalid form must not change the record"
    assert_no_axe_violations(page, "advisor-profile-errors")


# --- 3. the equality summary --------------------------------------------------------


def test_manager_sees_equality_totals_only(page, live_server, register):
    from advisors.models import Advisor, Application

    login(page, live_server, "manager", DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}/reports/equality/")
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Equality monitoring: summary"
    assert_no_axe_violations(page, "equality-summary")

    assert page.get_by_role("cell", name="fewer than 5").count() > 0
    assert page.get_by_role("table").count() > 0

    main = page.locator("main").inner_text()
    people = [*Advisor.objects.all(), *Application.objects.all()]
    assert len(people) > 30
    shown = sorted(
        {p.full_name for p in people if p.full_name in main}
        | {p.email for p in people if p.email and p.email in main}
    )
    assert not shown, f"the summary shows individuals: {shown}"
    assert "@" not in main


# --- 4. the applications admin (Django's own pages: report, do not fail) -------------


def test_coordinator_reviews_and_opens_the_decline_page(page, live_server, register):
    from advisors.models import Application

    application = Application.objects.get(email="iris.fenwick@example.net")
    assert application.status == Application.Status.RECEIVED
    login(page, live_server, "coordinator", DEMO_PASSWORD)

    response = page.goto(f"{live_server.url}/admin/advisors/application/")
    assert response.status == 200
    assert page.get_by_role("link", name="Iris Fenwick").is_visible()
    admin_axe_report(page, "admin-application-changelist")

    with page.expect_navigation():
        page.get_by_role("link", name="Iris Fenwick").click()
    assert page.url == f"{live_server.url}/admin/advisors/application/{application.pk}/change/"
    admin_axe_report(page, "admin-application-change")

    with page.expect_navigation():
        page.get_by_role("link", name="Decline with a message…").click()
    assert page.url == f"{live_server.url}/admin/advisors/application/{application.pk}/decline/"
    message = page.get_by_label("Message to the applicant")
    assert message.evaluate("(el) => el.tagName") == "TEXTAREA"
    assert message.is_editable()
    assert "Thank you very much for your interest" in message.input_value()
    assert message.input_value().startswith("Dear Iris,")
    admin_axe_report(page, "admin-application-decline")

    # Opening the page declines nothing; only the button does.
    application.refresh_from_db()
    assert application.status == Application.Status.RECEIVED
