"""A broken rule on a projects model is said in plain English, never "Constraint “projects_…”
is violated"."""

import datetime
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import PIEPlan, PlannedActivity
from tests.base import BaseTestCase
from tests.factories import PlanFactory, ProjectFactory


class ConstraintMessagesTest(BaseTestCase):
    def test_every_constraint_on_a_projects_model_has_its_own_plain_message(self) -> None:
        constraints = [
            (model.__name__, c)
            for model in apps.get_app_config("projects").get_models()
            for c in model._meta.constraints
        ]
        self.assertGreaterEqual(len(constraints), 12)
        for model, constraint in constraints:
            with self.subTest(model=model, constraint=constraint.name):
                message = constraint.get_violation_error_message()
                self.assertNotEqual(
                    constraint.violation_error_message, constraint.default_violation_error_message
                )
                self.assertNotIn("Constraint", message)
                self.assertNotIn("projects_", message)

    def test_the_pie_team_sees_a_plain_message_for_an_end_date_before_the_start(self) -> None:
        self.client.force_login(self.staff_sam)
        data = {
            "title": "Dates the wrong way round",
            "summary": "",
            "start_date": "01/06/2026",
            "end_date": "01/01/2026",
            "status": "planned",
        }
        for prefix in ("memberships", "advisor_assignments", "plans"):
            data.update(
                {
                    f"{prefix}-TOTAL_FORMS": "0",
                    f"{prefix}-INITIAL_FORMS": "0",
                    f"{prefix}-MIN_NUM_FORMS": "0",
                    f"{prefix}-MAX_NUM_FORMS": "1000",
                }
            )
        response = self.client.post(reverse("admin:projects_project_add"), data)
        self.assertContains(
            response, "The project&#x27;s end date must be on or after its start date."
        )
        self.assertNotContains(response, "is violated")

    def test_a_second_open_plan_and_an_out_of_range_activity_are_said_plainly(self) -> None:
        project = ProjectFactory()
        PlanFactory(project=project, version=1)
        with self.assertRaises(ValidationError) as raised:
            PIEPlan(project=project, version=2).full_clean()
        self.assertIn(
            "This project already has a plan being written or reviewed. Finish that one first.",
            raised.exception.messages,
        )
        activity = PlannedActivity(
            plan=project.plans.get(),
            stage="design",
            activity_type="workshop",
            hours_per_session=Decimal("2"),
            expenses_per_advisor=Decimal("-5"),
            planned_date=datetime.date(2026, 1, 20),
            anticipated_impact="x",
        )
        with self.assertRaises(ValidationError) as raised:
            activity.full_clean()
        self.assertIn("Expenses cannot be less than £0.", raised.exception.messages)
        self.assertFalse(any("violated" in m for m in raised.exception.messages))
