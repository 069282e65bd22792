"""A researcher records what involvement did for her project, in a real browser, and finds
it again in the impact database.

Every page must pass axe-core (WCAG 2.2 AA) with zero violations, including the error state.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_no_axe_violations, login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def project(register):
    """The researcher's project with an approved plan of one activity, and Ada Advisor on it.

    A transactional test flushes the UK Standards that the data migration added, so put
    them back with the migration's own code.
    """
    import importlib

    from django.apps import apps

    from advisors.models import Advisor
    from projects.models import PIEPlan, PlannedActivity, Project, ProjectAdvisor, ProjectMembership

    importlib.import_module("impacts.migrations.0002_standards").forwards(apps, None)
    project = Project.objects.create(title="Care at home after hospital", summary="A study.")
    ProjectMembership.objects.create(project=project, user=register["researcher"], role="lead")
    plan = PIEPlan.objects.create(
        project=project, status=PIEPlan.Status.APPROVED, created_by=register["researcher"]
    )
    PlannedActivity.objects.create(
        plan=plan,
        stage="design",
        activity_type=PlannedActivity.Type.ADVISORY_GROUP,
        advisors=3,
        hours_per_session=Decimal("2.00"),
        planned_date=datetime.date(2026, 3, 1),
        anticipated_impact="Advisors shape the interview questions.",
    )
    ada = Advisor.objects.get(user=register["advisor"])
    ProjectAdvisor.objects.create(project=project, advisor=ada, role="Advisory group member")
    return project


def test_researcher_records_an_impact_and_finds_it(page, live_server, project):
    from impacts.models import ImpactRecord

    login(page, live_server, "researcher", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/research/projects/{project.pk}/impacts/")
    page.get_by_text("No actual impact recorded yet").wait_for()
    assert_no_axe_violations(page, "impacts-project-empty")

    # From the approved plan's activity: the form starts at its stage and activity.
    page.get_by_role("link", name="Record an impact for advisory group meeting (design)").click()
    assert page.get_by_label("Stage of the research").input_value() == "design"
    assert_no_axe_violations(page, "impact-form")

    with page.expect_navigation():
        page.get_by_role("button", name="Record the impact").click()
    summary = page.locator("#error-summary")
    summary.get_by_text("Say what changed because of the involvement.").wait_for()
    summary.get_by_text("Choose what the involvement changed.").wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert_no_axe_violations(page, "impact-form-errors")
    assert not ImpactRecord.objects.exists()

    page.get_by_label("What changed because of the involvement?").fill(
        "We reworded the interview questions after advisors said they were hard to follow."
    )
    page.get_by_label("What did it change?").select_option(label="Data collection tools")
    page.get_by_label("Major").check()
    page.get_by_label("Ada Advisor").check()
    page.get_by_label("Working together").check()
    page.get_by_label("Evidence (optional)", exact=True).fill(
        "Before-and-after versions of the topic guide"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Record the impact").click()

    page.get_by_text("The impact has been recorded.").wait_for()
    assert page.url == f"{live_server.url}/research/projects/{project.pk}/impacts/"
    page.get_by_text("Actual impact recorded", exact=True).wait_for()
    page.get_by_text("We reworded the interview questions").wait_for()
    assert_no_axe_violations(page, "impacts-project")
    impact = ImpactRecord.objects.get()
    assert (impact.extent, impact.planned_activity.stage) == ("major", "design")

    page.get_by_role("link", name="GRIPP2 summary").click()
    page.get_by_text("No summary has been saved yet.").wait_for()
    assert (
        "1 actual impact recorded"
        in page.get_by_label("4. Discussion and conclusions").input_value()
    )
    assert_no_axe_violations(page, "impacts-gripp")

    page.get_by_role("link", name="Impact database").click()
    assert page.url == f"{live_server.url}/impacts/"
    assert_no_axe_violations(page, "impacts-search")
    page.get_by_label("Words to search for").fill("interview")
    page.get_by_label("Stage", exact=True).select_option(label="Design")
    with page.expect_navigation():
        page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_text("One impact matches your search.").wait_for()
    page.get_by_text("Care at home after hospital: Data collection tools").wait_for()
    assert_no_axe_violations(page, "impacts-search-results")


def test_coordinator_sees_projects_to_follow_up(page, live_server, project):
    login(page, live_server, "coordinator", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/impacts/")
    page.get_by_role("link", name="Projects to follow up for impact").click()
    # The approved plan's activity was on 1 March 2026, and no actual impact is recorded.
    row = page.get_by_role("row", name="Care at home after hospital")
    row.get_by_text("1 March 2026").wait_for()
    row.get_by_text("No impact recorded for the planned advisory group meeting").wait_for()
    assert_no_axe_violations(page, "impacts-follow-up")
