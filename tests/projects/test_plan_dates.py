"""Saving a PIE plan keeps its planned dates, and every date box in the project shows ISO dates.

A browser's <input type="date"> only takes an ISO value (2026-01-20): anything else, such as
the en-GB 20/01/2026, is shown as an empty box and sent back empty, so each save used to
erase the dates and re-price the budget at today's rates.
"""

import datetime
import importlib
import re
from decimal import Decimal
from html.parser import HTMLParser

from django import forms
from django.urls import reverse

from projects import services
from projects.models import PlannedActivity
from tests.base import BaseTestCase
from tests.factories import ActivityFactory, ProjectFactory, add_member, example_rate_card

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _FormFields(HTMLParser):
    """What a browser would send for the form with id `form_id`: each named input, select and
    textarea with its value, after the browser's own clean-up of date inputs."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "checkbox"):
            value = a.get("value") or ""
            # The HTML standard's value sanitisation for type=date: not ISO, not a value.
            if a.get("type") == "date" and not ISO_DATE.match(value):
                value = ""
            self.data[name] = value
        elif tag == "input" and name and a.get("type") == "checkbox" and "checked" in a:
            self.data[name] = "on"
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data) -> None:
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                # A browser drops the one newline that may follow <textarea>.
                self.data[self._textarea] = self.data[self._textarea].removeprefix("\n")
            self._textarea = None


def as_a_browser_would_send(html: str, form_id: str = "plan-form") -> dict[str, str]:
    parser = _FormFields(form_id)
    parser.feed(html)
    return parser.data


class PlanDatesTest(BaseTestCase):
    """Rita's plan has a design activity starting on 20 November 2025, before the rates rose
    on 16 December, and an analysis activity with no date yet."""

    def setUp(self) -> None:
        super().setUp()
        example_rate_card()
        self.project = ProjectFactory(title="Home care study")
        add_member(self.project, self.researcher_rita)
        self.plan = services.plan_start(project=self.project, by=self.researcher_rita)
        self.dated = ActivityFactory(
            plan=self.plan,
            description="Topic guide",
            planned_date=datetime.date(2025, 11, 20),
            sessions=3,
            frequency=PlannedActivity.Frequency.QUARTERLY,
        )
        self.undated = ActivityFactory(plan=self.plan, stage="analysis", description="Themes")
        self.edit_url = reverse("projects:plan-edit", args=[self.project.pk])

    def test_the_date_box_shows_the_planned_date_as_an_iso_date(self) -> None:
        self.client.force_login(self.researcher_rita)
        html = self.client.get(self.edit_url).content.decode()
        box = re.search(r'<input type="date" name="design-0-planned_date"[^>]*>', html)
        self.assertIsNotNone(box)
        self.assertIn('value="2025-11-20"', box.group())

    def test_saving_the_plan_twice_as_a_browser_would_keeps_dates_activities_and_budget(
        self,
    ) -> None:
        self.client.force_login(self.researcher_rita)
        # 20 Nov 2025 at £25/h, 20 Feb and 20 May 2026 at £27.50/h: 2 h x 2 advisors each,
        # £100 + £110 + £110 = £320.00; the undated one £110.00 at today's rate. An erased date
        # would have re-priced the first at today's rate, £330.00.
        before = services.plan_budget_for(self.plan)
        self.assertEqual(
            [line.costs.time for line in before.lines], [Decimal("320.00"), Decimal("110.00")]
        )
        keys = {a.description: a.key for a in self.plan.activities.all()}
        for _ in range(2):
            data = as_a_browser_would_send(self.client.get(self.edit_url).content.decode())
            data["save"] = "1"
            response = self.client.post(self.edit_url, data)
            self.assertRedirects(response, self.edit_url)
        activities = {a.description: a for a in self.plan.activities.all()}
        self.assertEqual(set(activities), {"Topic guide", "Themes"})
        self.assertEqual(activities["Topic guide"].planned_date, datetime.date(2025, 11, 20))
        self.assertEqual(activities["Topic guide"].frequency, "quarterly")
        self.assertIsNone(activities["Themes"].planned_date)
        # The same rows (and keys) as before: nothing was deleted and made again.
        self.assertEqual({d: a.key for d, a in activities.items()}, keys)
        self.assertEqual(activities["Topic guide"].pk, self.dated.pk)
        self.assertEqual(services.plan_budget_for(self.plan).totals.total, before.totals.total)

    def test_a_changed_date_is_saved_and_shown_in_the_version_differences(self) -> None:
        self.client.force_login(self.researcher_rita)
        services.plan_submit(plan=self.plan, by=self.researcher_rita)
        services.plan_approve(plan=self.plan, by=self.staff_sam)
        self.client.post(reverse("projects:plan-start", args=[self.project.pk]))
        data = as_a_browser_would_send(self.client.get(self.edit_url).content.decode())
        data["design-0-planned_date"] = "2026-03-02"
        data["design-0-frequency"] = "monthly"
        data["save"] = "1"
        self.assertRedirects(self.client.post(self.edit_url, data), self.edit_url)

        response = self.client.get(reverse("projects:plan-version", args=[self.project.pk, 2]))
        self.assertContains(response, "What changed since version 1")
        changes = [line for _, line in response.context["changes"]]
        self.assertTrue(
            any(
                "Topic guide" in line and "from 20 November 2025, every three months" in line
                for line in changes
            ),
            changes,
        )
        self.assertTrue(
            any(
                "Topic guide" in line and "from 2 March 2026, every month" in line
                for line in changes
            ),
            changes,
        )
        # The undated activity did not change, so it is not in the differences.
        self.assertFalse(any("Themes" in line for line in changes), changes)


def _forms_modules() -> list:
    names = [
        "advisors.forms",
        "ascru_pie.forms",
        "impacts.forms",
        "impacts.forms_portal",
        "meetings.forms_attendance",
        "meetings.forms_portal",
        "meetings.forms_staff",
        "payments.forms_portal",
        "payments.forms_staff",
        "projects.forms",
        "projects.forms_opportunities",
        "reminders.forms",
        "reports.forms",
    ]
    return [importlib.import_module(name) for name in names]


class EveryDateInputTest(BaseTestCase):
    def test_every_date_box_in_every_form_renders_an_iso_date(self) -> None:
        found = []
        for module in _forms_modules():
            for name in dir(module):
                form_class = getattr(module, name)
                if not (isinstance(form_class, type) and issubclass(form_class, forms.BaseForm)):
                    continue
                for field_name, field in form_class.base_fields.items():
                    widget = field.widget
                    if (
                        isinstance(field, forms.DateField)
                        or getattr(widget, "input_type", "") == "date"
                    ):
                        found.append(f"{module.__name__}.{name}.{field_name}")
                        with self.subTest(field=found[-1]):
                            self.assertEqual(getattr(widget, "input_type", ""), "date")
                            html = widget.render(field_name, datetime.date(2026, 1, 20))
                            self.assertIn('value="2026-01-20"', html)
        # The plan's planned date is among them (the test looks where the dates are).
        self.assertIn("projects.forms.ActivityForm.planned_date", found)
