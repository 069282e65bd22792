"""Editing an output with the keyboard only (issue 15).

The demo researcher opens her project's outputs, goes to "Edit" on a paper, changes its title
and how Ada is credited (Tab, typing, arrow keys, Enter), saves and sees the change in the
list. Every page passes axe-core; form controls have 3:1 edges; the edit page reflows at
320 px (screenshots under test-artifacts/screenshots/).
"""

from __future__ import annotations

import datetime

import pytest

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import (
    assert_controls_contrast,
    assert_no_axe_violations,
    assert_reflows,
    h1,
    login,
)

pytestmark = pytest.mark.django_db(transaction=True)

# In the page: does the focused element's label, text or value contain `text`?
_FOCUSED_IS = r"""(text) => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  // textContent: a link's visually hidden words count (innerText drops their space).
  const words = (t) => t.replace(/\s+/g, " ").trim();
  return [label, el.textContent || "", el.value || ""].some((t) => words(t).includes(text));
}"""


def tab_to(page, text: str, presses: int = 120) -> None:
    """Press Tab until the focused control says `text` (its label, text or value)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(_FOCUSED_IS, text):
            return
    pytest.fail(f"Tab never reached a control saying {text!r} on {page.url}", pytrace=False)


@pytest.fixture
def paper(register):
    """A project the demo researcher is on, Ada assigned to it and credited as co-author on
    a published paper."""
    from advisors.models import Advisor
    from projects import services
    from projects.models import Output, Project, ProjectAdvisor, ProjectMembership

    project = Project.objects.create(title="Home care study", status=Project.Status.ACTIVE)
    ProjectMembership.objects.create(project=project, user=register["researcher"])
    ada = Advisor.objects.get(user__username="advisor")
    ProjectAdvisor.objects.create(project=project, advisor=ada, role="Advisory group member")
    return services.output_create(
        output=Output(
            kind=Output.Kind.PAPER, title="Care at home", published_on=datetime.date(2026, 5, 15)
        ),
        project=project,
        credits={ada.pk: "co_author"},
    )


def test_researcher_edits_an_output_with_the_keyboard_only(page, live_server, paper):
    from advisors.models import Advisor

    ada = Advisor.objects.get(user__username="advisor")
    project = paper.project
    login(page, live_server, "researcher", DEMO_PASSWORD)

    # The project's outputs.
    page.goto(f"{live_server.url}/research/projects/{project.pk}/outputs/")
    assert h1(page) == "Outputs: Home care study"
    assert_no_axe_violations(page, "outputs-list")

    # Tab to "Edit" on the paper and follow it.
    tab_to(page, "Edit “Care at home”")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert h1(page) == "Edit the output"
    assert_no_axe_violations(page, "outputs-edit")
    assert_controls_contrast(page, "outputs-edit")

    # A new title: select what is there and type over it.
    tab_to(page, "Title")
    page.keyboard.press("Control+A")
    page.keyboard.type("Care at home: what matters to people")
    # Ada from co-author to co-presenter: the next choice down.
    tab_to(page, f"Credit for {ada.full_name}")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.value") == "co_presenter"

    tab_to(page, "Save the output")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Back on the list, with the change.
    assert h1(page) == "Outputs: Home care study"
    body = page.locator("main").inner_text()
    assert "The output “Care at home: what matters to people” has been saved." in body
    row = page.get_by_role("row", name="Care at home: what matters to people")
    assert f"{ada.acknowledged_as()} (Co-presenter)" in row.inner_text()
    assert_no_axe_violations(page, "outputs-list-saved")

    paper.refresh_from_db()
    assert paper.title == "Care at home: what matters to people"
    assert paper.credits.get().credit == "co_presenter"

    # The edit page fits a 320 px wide window (WCAG 1.4.10).
    page.goto(f"{live_server.url}/research/projects/{project.pk}/outputs/{paper.pk}/edit/")
    assert_reflows(page, "outputs-edit")


def test_researcher_deletes_an_output_after_confirming(page, live_server, paper):
    project = paper.project
    login(page, live_server, "researcher", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/research/projects/{project.pk}/outputs/")
    tab_to(page, "Delete “Care at home”")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert h1(page) == "Delete “Care at home”?"
    assert_no_axe_violations(page, "outputs-delete")
    tab_to(page, "Yes, delete the output")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "has been deleted" in page.locator("main").inner_text()
    assert "No outputs recorded yet." in page.locator("main").inner_text()
