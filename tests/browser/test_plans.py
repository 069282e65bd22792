"""A researcher writes and submits a PIE plan with a live budget; the PIE team approves it."""

from decimal import Decimal

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_no_axe_violations, login


def test_researcher_plans_and_coordinator_approves(page, live_server, demo_users):
    from projects.models import Project, ProjectMembership
    from tests.factories import example_rate_card

    example_rate_card()
    project = Project.objects.create(title="Care at home after hospital", summary="A study.")
    ProjectMembership.objects.create(project=project, user=demo_users["researcher"], role="lead")

    login(page, live_server, "researcher", DEMO_PASSWORD)
    assert page.url == f"{live_server.url}/research/"
    assert_no_axe_violations(page, "research-projects")
    page.get_by_role("link", name="Care at home after hospital").click()
    assert_no_axe_violations(page, "research-project-detail")
    page.get_by_role("link", name="Open the PIE plan").click()
    assert_no_axe_violations(page, "plan-none")
    with page.expect_navigation():
        page.get_by_role("button", name="Start the PIE plan").click()
    assert page.url.endswith(f"/research/projects/{project.pk}/plan/edit/")

    design = page.locator("section", has=page.get_by_role("heading", name="Design", exact=True))
    design.get_by_label("Type").select_option(label="Advisory group meeting")
    design.get_by_label("How many advisors").fill("3")
    design.get_by_label("Sessions").fill("2")
    design.get_by_label("Hours per advisor per session").fill("2.5")
    design.get_by_label("What will this involvement do for the research?").fill(
        "Questions make sense to people."
    )
    design.get_by_label("Support costs per session (£)").fill("40.00")
    # The budget updates as the researcher types: 2.5 h x £27.50 x 3 x 2 = £412.50, + £80 support.
    page.locator("#budget-total").filter(has_text="£492.50").wait_for(timeout=5000)
    assert_no_axe_violations(page, "plan-edit")

    with page.expect_navigation():
        page.get_by_role("button", name="Save and send to the PIE team").click()
    page.get_by_text("sent to the PIE team for review").wait_for()
    assert_no_axe_violations(page, "plan-submitted")
    plan = project.plans.get()
    assert (plan.status, plan.budget_total) == ("submitted", Decimal("492.50"))

    page.context.clear_cookies()
    login(page, live_server, "coordinator", DEMO_PASSWORD)
    assert page.url == f"{live_server.url}/staff/"
    assert_no_axe_violations(page, "staff-home-with-plan")
    page.get_by_role("link", name="Care at home after hospital (version 1").click()
    assert_no_axe_violations(page, "plan-review")
    with page.expect_navigation():
        page.get_by_role("button", name="Approve this plan").click()
    page.get_by_text("Plan version 1 approved").wait_for()
    project.refresh_from_db()
    assert project.pie_budget == Decimal("492.50")
