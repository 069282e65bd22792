"""The coordinator chooses an annual-report example with the keyboard only: picks a record
for a UK Standard, edits its wording and saves it (issue 15). Every page passes axe-core."""

from __future__ import annotations

import datetime

import pytest

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_no_axe_violations, h1, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_curates_an_annual_report_example_with_the_keyboard(
    page, live_server, lookups, demo_users
):
    from ascru_pie.models import User
    from impacts.models import Standard
    from reports.models import ReportExample
    from tests.factories import ProjectFactory, make_impact

    coordinator = User.objects.get(username="coordinator")
    project = ProjectFactory(title="Care at home after hospital")
    impact = make_impact(
        project,
        coordinator,
        kind="actual",
        what_changed="Advisors reworded the questions for carers.",
        recorded_on=datetime.date(2026, 3, 5),
    )
    standard = Standard.objects.get(code="impact")
    impact.standards.add(standard)

    login(page, live_server, "coordinator", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/evidence/?year=2026")
    assert h1(page) == "Annual report examples and narrative"
    assert_no_axe_violations(page, "report-evidence")

    section = page.locator("#standard-impact")
    select = section.get_by_label("Record to use")
    select.focus()
    page.keyboard.press("ArrowDown")  # the first record: the impact linked to this standard
    assert select.input_value() == f"impact:{impact.pk}"
    page.keyboard.press("Tab")  # to the wording
    assert section.get_by_label("Wording in the report (optional)").evaluate(
        "el => el === document.activeElement"
    )
    page.keyboard.press("Tab")  # to the button
    with page.expect_navigation():
        page.keyboard.press("Enter")

    example = ReportExample.objects.get()
    assert h1(page) == "Edit an example for Impact"
    assert_no_axe_violations(page, "report-evidence-example")
    wording = page.get_by_label("Wording in the report")
    wording.focus()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("Carers can now answer every question.")
    page.keyboard.press("Tab")  # the position
    page.keyboard.press("Tab")  # the save button
    with page.expect_navigation():
        page.keyboard.press("Enter")

    example.refresh_from_db()
    assert example.text == "Carers can now answer every question."
    assert "Example for Impact saved." in page.get_by_role("status").inner_text()
    assert section.get_by_text("Carers can now answer every question.").is_visible()
    assert_no_axe_violations(page, "report-evidence-saved")
