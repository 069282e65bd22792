"""Every number on a plan has a sensible maximum, said in plain English, and a plan whose
budget would not fit the money columns is refused with a message, never stored.

A plan with huge numbers used to be accepted, and then /research/, the project page and
/staff/ failed for everyone (SQLite), or submitting failed (PostgreSQL).
"""

import datetime
from decimal import Decimal

from django.urls import reverse

from projects import services
from projects.models import PIEPlan
from rates.models import RateCard
from tests.base import BaseTestCase
from tests.factories import ProjectFactory, add_member, example_rate_card

STAGES = ("identifying", "design", "conduct", "analysis", "dissemination")

# The largest activity the form takes, as a browser would post it.
LARGEST = {
    "activity_type": "advisory_group",
    "description": "",
    "advisors": "100",
    "sessions": "200",
    "hours_per_session": "24",
    "mode": "online",
    "planned_date": "2026-06-01",
    "frequency": "same_day",
    "expenses_per_advisor": "2000.00",
    "support_cost_per_session": "5000.00",
    "enhanced_support_cost": "50000.00",
    "support_description": "",
    "anticipated_impact": "Lots.",
}


def plan_post(stage_forms: dict[str, list[dict]], **extra) -> dict:
    data = {"recognition": "", "support_and_training": ""}
    for stage in STAGES:
        forms = stage_forms.get(stage, [])
        data.update(
            {
                f"{stage}-TOTAL_FORMS": str(len(forms)),
                f"{stage}-INITIAL_FORMS": "0",
                f"{stage}-MIN_NUM_FORMS": "0",
                f"{stage}-MAX_NUM_FORMS": "30",
            }
        )
        for i, form in enumerate(forms):
            data.update({f"{stage}-{i}-{k}": v for k, v in form.items()})
    data.update(extra)
    return data


class PlanBoundsTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        example_rate_card()
        self.project = ProjectFactory(title="Home care study")
        add_member(self.project, self.researcher_rita)
        self.plan = services.plan_start(project=self.project, by=self.researcher_rita)
        self.edit_url = reverse("projects:plan-edit", args=[self.project.pk])
        self.client.force_login(self.researcher_rita)

    def assert_every_page_still_opens(self) -> None:
        pages = [
            (self.researcher_rita, reverse("projects:home")),
            (self.researcher_rita, reverse("projects:detail", args=[self.project.pk])),
            (self.researcher_rita, reverse("projects:plan", args=[self.project.pk])),
            (self.staff_sam, reverse("staff-home")),
        ]
        for user, url in pages:
            with self.subTest(url=url):
                self.client.force_login(user)
                self.assertEqual(self.client.get(url).status_code, 200)
        self.client.force_login(self.researcher_rita)

    def test_each_number_above_its_maximum_is_refused_in_words(self) -> None:
        cases = [
            ("advisors", "101", "An activity can have at most 100 advisors."),
            ("advisors", "40000", "An activity can have at most 100 advisors."),
            ("advisors", "0", "At least one advisor takes part."),
            ("sessions", "201", "An activity can have at most 200 sessions."),
            ("sessions", "99999999999999999999", "An activity can have at most 200 sessions."),
            (
                "hours_per_session",
                "24.01",
                "Hours per session must be more than 0 and no more than 24.",
            ),
            (
                "hours_per_session",
                "1e30",
                "Hours per session must be more than 0 and no more than 24.",
            ),
            (
                "expenses_per_advisor",
                "2000.01",
                "The expenses per advisor per session can be at most £2,000.00.",
            ),
            (
                "expenses_per_advisor",
                "99999999999999999999.99",
                "The expenses per advisor per session can be at most £2,000.00.",
            ),
            (
                "support_cost_per_session",
                "1e12",
                "The support costs per session can be at most £5,000.00.",
            ),
            ("enhanced_support_cost", "50000.01", "The extra support can be at most £50,000.00."),
            ("enhanced_support_cost", "-1", "The extra support cannot be less than £0."),
            (
                "expenses_per_advisor",
                "12.505",
                "Enter the expenses per advisor per session in pounds and pence, for example 12.50.",
            ),
        ]
        for field, value, message in cases:
            with self.subTest(field=field, value=value):
                response = self.client.post(
                    self.edit_url, plan_post({"design": [{**LARGEST, field: value}]}, save="1")
                )
                self.assertContains(response, message, status_code=400)
                self.assertNotContains(response, "Ensure", status_code=400)
                self.assertEqual(self.plan.activities.count(), 0)
        self.assert_every_page_still_opens()

    def test_the_largest_activity_is_accepted_and_priced(self) -> None:
        response = self.client.post(
            self.edit_url, plan_post({"design": [LARGEST]}, submit="1"), follow=True
        )
        self.assertContains(response, "sent to the PIE team for review")
        self.plan.refresh_from_db()
        # 24 h is a full day, £181.50 x 100 advisors x 200 sessions = £3,630,000.00; expenses
        # £2,000 x 20,000 = £40,000,000.00; support £5,000 x 200 + £50,000 = £1,050,000.00.
        self.assertEqual(self.plan.budget_total, Decimal("44680000.00"))
        self.assert_every_page_still_opens()

    def test_a_budget_too_big_to_record_is_refused_at_submission_and_pages_still_open(
        self,
    ) -> None:
        # A (mistyped but allowed) £5,000 day rate: each largest activity then costs
        # £100,000,000 + £40,000,000 + £1,050,000 = £141,050,000; 72 of them £10,155,600,000.
        RateCard.objects.create(
            activity=RateCard.Activity.MEETING,
            effective_from=datetime.date(2026, 1, 1),
            hourly_rate=Decimal("500.00"),
            full_day_amount=Decimal("5000.00"),
            full_day_from_hours=Decimal("6"),
        )
        data = plan_post({s: [LARGEST] * 24 for s in ("design", "conduct", "analysis")}, submit="1")
        response = self.client.post(self.edit_url, data, follow=True)
        self.assertContains(
            response,
            "Your plan was saved but not submitted: This budget would be £10,155,600,000.00, "
            "more than a plan can hold (£9,999,999,999.99).",
        )
        self.plan.refresh_from_db()
        self.assertEqual((self.plan.status, self.plan.budget_total), (PIEPlan.Status.DRAFT, None))
        self.assertEqual(self.plan.activities.count(), 72)
        self.assert_every_page_still_opens()
        response = self.client.get(reverse("projects:plan", args=[self.project.pk]))
        self.assertContains(response, "more than a plan can hold")

    def test_a_stage_takes_at_most_thirty_activities(self) -> None:
        response = self.client.post(self.edit_url, plan_post({"design": [LARGEST] * 31}, save="1"))
        self.assertContains(response, "A stage can have at most 30 activities.", status_code=400)
        self.assertEqual(self.plan.activities.count(), 0)

    def test_the_live_budget_leaves_out_what_is_out_of_bounds(self) -> None:
        response = self.client.post(
            reverse("projects:plan-budget", args=[self.project.pk]),
            plan_post({"design": [{**LARGEST, "advisors": "100000"}]}),
            HTTP_HX_REQUEST="true",
        )
        self.assertContains(
            response, '<td class="text-end" id="budget-total">£0.00</td>', html=True
        )


class OpportunityPlacesBoundTest(BaseTestCase):
    def test_an_opportunity_asks_for_at_most_a_hundred_places(self) -> None:
        example_rate_card()
        project = ProjectFactory(title="Home care study")
        add_member(project, self.researcher_rita)
        self.client.force_login(self.researcher_rita)
        response = self.client.post(
            reverse("projects:opportunity-create", args=[project.pk]),
            {
                "role": "Advisory group member",
                "description": "Shape the study.",
                "starts_on": "",
                "ends_on": "",
                "time_commitment": "Three meetings",
                "payment": "NIHR rates",
                "access_information": "",
                "closing_date": "2099-01-01",
                "places": "40000",
            },
        )
        self.assertContains(
            response,
            "An opportunity can have at most 100 places. For more, post it twice.",
            status_code=400,
        )
        self.assertFalse(project.opportunities.exists())
