"""A researcher saves a PIE plan twice in a real browser and its planned dates stay.

Chromium's <input type="date"> only shows an ISO value; the en-GB 20/11/2025 used to be shown
as an empty box and sent back empty, so every save erased the dates and re-priced the plan.
"""

import datetime
from decimal import Decimal

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_no_axe_violations, login


def test_saving_a_plan_twice_keeps_its_planned_dates(page, live_server, demo_users):
    from projects import services
    from projects.models import Project, ProjectMembership
    from tests.factories import ActivityFactory, example_rate_card

    example_rate_card()
    project = Project.objects.create(title="Care at home after hospital", summary="A study.")
    researcher = demo_users["researcher"]
    ProjectMembership.objects.create(project=project, user=researcher, role="lead")
    plan = services.plan_start(project=project, by=researcher)
    # Three sessions every three months from 20 November 2025, before the rates rose on
    # 16 December: £100.00 + £110.00 + £110.00 = £320.00 (an erased date: £330.00).
    ActivityFactory(
        plan=plan,
        description="Topic guide",
        planned_date=datetime.date(2025, 11, 20),
        sessions=3,
        frequency="quarterly",
    )

    login(page, live_server, "researcher", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/research/projects/{project.pk}/plan/edit/")
    design = page.locator("section", has=page.get_by_role("heading", name="Design", exact=True))
    first = design.locator("fieldset").first
    assert first.get_by_label("Planned date").input_value() == "2025-11-20"
    page.locator("#budget-total").filter(has_text="£320.00").wait_for()
    assert_no_axe_violations(page, "plan-edit-with-dates")

    # A second activity with a date typed into the browser's own date box.
    new = design.locator("fieldset").last
    new.get_by_label("Type").select_option(label="Workshop")
    new.get_by_label("Hours per advisor per session").fill("2")
    new.get_by_label("Planned date").fill("2026-02-03")
    new.get_by_label("How often, if there is more than one session").select_option(
        label="Every week"
    )
    new.get_by_label("What will this involvement do for the research?").fill("Better flyers.")

    for _ in range(2):
        with page.expect_navigation():
            page.get_by_role("button", name="Save the plan").click()
        page.get_by_text("Your plan has been saved.").wait_for()

    activities = {a.description or a.activity_type: a for a in plan.activities.all()}
    assert activities["Topic guide"].planned_date == datetime.date(2025, 11, 20)
    assert activities["Topic guide"].frequency == "quarterly"
    assert activities["workshop"].planned_date == datetime.date(2026, 2, 3)
    assert activities["workshop"].frequency == "weekly"
    design = page.locator("section", has=page.get_by_role("heading", name="Design", exact=True))
    assert design.locator("fieldset").nth(0).get_by_label("Planned date").input_value() == (
        "2025-11-20"
    )
    assert design.locator("fieldset").nth(1).get_by_label("Planned date").input_value() == (
        "2026-02-03"
    )
    # £320.00 + the workshop: 2 h x £27.50 x 1 advisor = £55.00.
    page.locator("#budget-total").filter(has_text="£375.00").wait_for()
    assert services.plan_budget_for(plan).totals.total == Decimal("375.00")
