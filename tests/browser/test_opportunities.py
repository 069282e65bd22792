"""Opportunities in a real browser: an advisor says she is interested, the coordinator
selects her, and the researcher credits her on an output.

Every page must pass axe-core (WCAG 2.2 AA) with zero violations, including error states.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_no_axe_violations, h1, login

pytestmark = pytest.mark.django_db(transaction=True)

ROLE = "Interview advisor"


# --- data ---------------------------------------------------------------------------


@pytest.fixture
def opportunity(register):
    """The demo register (Ada Advisor is the "advisor" login), a project the demo
    researcher works on, and an open opportunity on it."""
    from projects.models import Opportunity, Project, ProjectMembership

    demo_users = register
    project = Project.objects.create(title="Home care study", status=Project.Status.ACTIVE)
    ProjectMembership.objects.create(project=project, user=demo_users["researcher"])
    today = timezone.localdate()
    return Opportunity.objects.create(
        project=project,
        role=ROLE,
        description="Help us write interview questions that make sense to people who use home care.",
        starts_on=today + datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=90),
        time_commitment="Three 2-hour online meetings",
        payment="Paid at NIHR rates; we cover care costs",
        access_information="Papers in large print on request. Breaks every hour.",
        closing_date=today + datetime.timedelta(days=14),
        places=2,
        posted_by=demo_users["researcher"],
    )


# --- the journey --------------------------------------------------------------------


def test_interest_selection_and_credit_journey(page, new_page, live_server, opportunity):
    from advisors.models import Advisor
    from projects.models import ExpressionOfInterest, Output, ProjectAdvisor

    ada = Advisor.objects.get(user__username="advisor")

    # 1. Ada finds the opportunity in her portal and says she is interested.
    login(page, live_server, "advisor", DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}/portal/opportunities/")
    assert response.status == 200
    assert h1(page) == "Opportunities to get involved"
    assert page.get_by_text("Three 2-hour online meetings").is_visible()
    assert_no_axe_violations(page, "portal-opportunities")

    with page.expect_navigation():
        page.get_by_role("link", name=ROLE).click()
    assert page.url == f"{live_server.url}/portal/opportunities/{opportunity.pk}/"
    assert h1(page) == ROLE
    assert page.get_by_text("Papers in large print on request.").is_visible()
    assert_no_axe_violations(page, "portal-opportunity")

    page.get_by_label("Why you are interested (optional)").fill(
        "I have used home care for five years."
    )
    page.get_by_label("Support you would need to take part (optional)").fill("Large-print papers")
    with page.expect_navigation():
        page.get_by_role("button", name="I am interested").click()
    assert "We have your expression of interest." in page.get_by_role("status").inner_text()
    assert page.get_by_text("You said you are interested").is_visible()
    assert page.get_by_role("button", name="Withdraw my interest").is_visible()
    assert_no_axe_violations(page, "portal-opportunity-interested")
    interest = ExpressionOfInterest.objects.get(opportunity=opportunity, advisor=ada)
    assert interest.status == ExpressionOfInterest.Status.INTERESTED
    assert interest.support_needed == "Large-print papers"

    # 2. The coordinator opens the selection screen and selects Ada.
    coordinator = new_page()
    login(coordinator, live_server, "coordinator", DEMO_PASSWORD)
    select_url = f"{live_server.url}/research/opportunities/{opportunity.pk}/select/"
    response = coordinator.goto(select_url)
    assert response.status == 200
    assert h1(coordinator) == f"Choose advisors: {ROLE}"
    assert coordinator.get_by_role("table").count() == 1
    assert coordinator.get_by_role(
        "cell", name="I have used home care for five years."
    ).is_visible()
    assert_no_axe_violations(coordinator, "opportunity-select")

    # Sending with nobody ticked: an error summary, and nothing changes.
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Select the ticked people").click()
    summary = coordinator.locator("#error-summary")
    assert summary.is_visible()
    assert coordinator.title().startswith("Error: ")
    link = summary.get_by_role("link", name="Tick at least one person to select.")
    assert coordinator.evaluate(
        "(id) => document.getElementById(id) !== null", link.get_attribute("href")[1:]
    )
    assert_no_axe_violations(coordinator, "opportunity-select-errors")

    coordinator.get_by_role("checkbox", name=ada.full_name).check()
    # Still open: selecting now needs a tick to confirm (and closes the opportunity).
    assert coordinator.get_by_text("This opportunity is still open until").is_visible()
    coordinator.get_by_role(
        "checkbox", name="Select before the closing date, and close the opportunity now"
    ).check()
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Select the ticked people").click()
    assert coordinator.url == select_url
    assert f"Selected: {ada.full_name}." in coordinator.get_by_role("status").inner_text()
    assert coordinator.get_by_role("checkbox", name=ada.full_name).is_checked()
    assert_no_axe_violations(coordinator, "opportunity-select-done")
    assignment = ProjectAdvisor.objects.get(project=opportunity.project, advisor=ada)
    assert assignment.role == ROLE

    # Ada sees the outcome in plain words.
    page.goto(f"{live_server.url}/portal/opportunities/")
    assert page.get_by_text("You have been selected").is_visible()

    # 3. The researcher opens the outputs page and credits Ada as co-author.
    researcher = new_page()
    login(researcher, live_server, "researcher", DEMO_PASSWORD)
    outputs_url = f"{live_server.url}/research/projects/{opportunity.project.pk}/outputs/"
    response = researcher.goto(outputs_url)
    assert response.status == 200
    assert h1(researcher) == "Outputs: Home care study"
    assert_no_axe_violations(researcher, "project-outputs")

    with researcher.expect_navigation():
        researcher.get_by_role("button", name="Add the output").click()
    assert researcher.locator("#error-summary").is_visible()
    assert_no_axe_violations(researcher, "project-outputs-errors")

    researcher.get_by_label("Kind of output").select_option(label="Report")
    researcher.get_by_label("Title").fill("What matters in home care")
    researcher.get_by_label(f"Credit for {ada.full_name}").select_option(label="Co-author")
    with researcher.expect_navigation():
        researcher.get_by_role("button", name="Add the output").click()
    assert researcher.url == outputs_url
    credit = f"{ada.acknowledged_as()} (Co-author)"
    assert researcher.get_by_role("table").get_by_text(credit).is_visible()
    assert_no_axe_violations(researcher, "project-outputs-added")
    output = Output.objects.get(title="What matters in home care")
    assert list(output.credits.values_list("advisor_id", "credit")) == [(ada.pk, "co_author")]
