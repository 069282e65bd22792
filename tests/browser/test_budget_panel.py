"""The plan's budget panel shows every column (issue 15: Support and Total were cut off at
1280 px, in a box that scrolled sideways)."""

from decimal import Decimal

import pytest

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_no_axe_violations, assert_reflows, login

pytestmark = pytest.mark.browser

# Each column heading's box, the panel's box and whether the panel scrolls sideways.
BOXES_JS = """
() => {
  const panel = document.querySelector(".budget-panel");
  const p = panel.getBoundingClientRect();
  return {
    panel: {left: p.left, right: p.right},
    scrolls: panel.scrollWidth > panel.clientWidth,
    viewport: document.documentElement.clientWidth,
    headers: [...panel.querySelectorAll("thead th")].map(th => {
      const b = th.getBoundingClientRect();
      return {text: th.innerText.trim(), left: b.left, right: b.right, width: b.width};
    }),
  };
}
"""


def check_columns(page, width: int) -> None:
    """At 1280 px the four column headings sit inside the panel; below 576 px the figures stack,
    each said with its heading, and nothing sticks out of the panel."""
    page.set_viewport_size({"width": width, "height": 900})
    page.reload()
    found = page.evaluate(BOXES_JS)
    assert [h["text"] for h in found["headers"]] == ["Time", "Expenses", "Support", "Total"]
    assert not found["scrolls"], f"the budget panel scrolls sideways at {width} px"
    if width < 576:
        total = page.locator("#budget-total")
        assert total.evaluate("el => getComputedStyle(el, '::before').content") == '"Total: "'
        box = total.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= found["viewport"], box
        return
    for h in found["headers"]:
        assert h["width"] > 0, h
        assert found["panel"]["left"] - 1 <= h["left"], (width, h, found["panel"])
        assert h["right"] <= found["panel"]["right"] + 1, (width, h, found["panel"])
        assert h["right"] <= found["viewport"], (width, h)


def test_every_budget_column_shows_beside_the_plan_at_1280_and_320_px(
    page, live_server, demo_users
):
    from projects.models import PIEPlan, Project, ProjectMembership
    from tests.factories import ActivityFactory, PlanFactory, example_rate_card

    example_rate_card()
    project = Project.objects.create(title="Care at home after hospital", summary="A study.")
    ProjectMembership.objects.create(project=project, user=demo_users["researcher"], role="lead")
    plan = PlanFactory(project=project, status=PIEPlan.Status.DRAFT)
    # Sums in the £10,000s, so each column needs its full width (£41,580.00 in all).
    for stage in ("design", "conduct", "dissemination"):
        ActivityFactory(
            plan=plan,
            stage=stage,
            advisors=6,
            sessions=12,
            hours_per_session=Decimal("3.00"),
            expenses_per_advisor=Decimal("35.00"),
            support_cost_per_session=Decimal("450.00"),
        )

    login(page, live_server, "researcher", DEMO_PASSWORD)
    for url in (
        f"/research/projects/{project.pk}/plan/",
        f"/research/projects/{project.pk}/plan/edit/",
    ):
        page.goto(live_server.url + url)
        page.locator("#budget-total").wait_for()
        assert "£" in page.locator("#budget-total").inner_text()
        check_columns(page, 1280)
        assert_no_axe_violations(page, "plan-budget-1280")
        check_columns(page, 320)
        assert_reflows(page, "plan-budget", width=320)
