"""Each session of a planned activity is priced at the rate in force on its own day.

A planned activity has one planned date, the first session's; the others follow at the
activity's frequency (same day, weekly, fortnightly, monthly or every three months; a
monthly session falls on the same day of the month, or the month's last day if shorter).
An activity with no date starts on the pricing day: today for a draft, the submission day
once submitted. The example rate card rises 10% on 16 December 2025.
"""

import datetime
from decimal import Decimal

from django.test import TestCase
from django.urls import reverse

from projects.budget import plan_budget
from projects.models import PlannedActivity
from tests.base import BaseTestCase
from tests.factories import ProjectFactory, add_member, example_rate_card

D = datetime.date


def activity(**kw) -> PlannedActivity:
    defaults = {
        "stage": "design",
        "activity_type": "advisory_group",
        "advisors": 2,
        "sessions": 4,
        "hours_per_session": Decimal("2.5"),
        "anticipated_impact": "x",
    }
    return PlannedActivity(**{**defaults, **kw})


class SessionDatesTest(TestCase):
    def test_sessions_follow_the_first_at_the_activitys_frequency(self) -> None:
        cases = [
            ("same_day", D(2026, 1, 31), [D(2026, 1, 31)] * 4),
            (
                "weekly",
                D(2025, 12, 2),
                [D(2025, 12, 2), D(2025, 12, 9), D(2025, 12, 16), D(2025, 12, 23)],
            ),
            (
                "fortnightly",
                D(2025, 12, 2),
                [D(2025, 12, 2), D(2025, 12, 16), D(2025, 12, 30), D(2026, 1, 13)],
            ),
            (
                "monthly",
                D(2026, 1, 31),
                [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30)],
            ),
            (
                "quarterly",
                D(2025, 11, 30),
                [D(2025, 11, 30), D(2026, 2, 28), D(2026, 5, 30), D(2026, 8, 30)],
            ),
        ]
        for frequency, first, expected in cases:
            with self.subTest(frequency=frequency):
                a = activity(frequency=frequency, planned_date=first)
                self.assertEqual(a.session_dates(), expected)

    def test_an_undated_activity_starts_on_the_pricing_day(self) -> None:
        a = activity(sessions=2, frequency="weekly")
        self.assertEqual(a.session_dates(first=D(2026, 3, 1)), [D(2026, 3, 1), D(2026, 3, 8)])

    def test_new_activities_are_monthly_unless_said_otherwise(self) -> None:
        self.assertEqual(activity().frequency, "monthly")


class PricePerSessionTest(TestCase):
    def setUp(self) -> None:
        example_rate_card()

    def test_sessions_either_side_of_a_rate_change_are_paid_at_their_own_rate(self) -> None:
        # 16 Oct and 16 Nov 2025 at £25/h: 2.5 h = £62.50; 16 Dec 2025 and 16 Jan 2026 at
        # £27.50/h: £68.75. Per advisor £262.50; x 2 advisors = £525.00 (not £500.00, which
        # is all four at the first session's rate).
        budget = plan_budget(
            [activity(planned_date=D(2025, 10, 16), frequency="monthly")], today=D(2026, 12, 1)
        )
        line = budget.lines[0]
        self.assertEqual(line.costs.time, Decimal("525.00"))
        self.assertEqual([r.effective_from for r in line.rates], [D(2025, 4, 1), D(2025, 12, 16)])
        self.assertIn("from 16 Oct 2025: 2.5 h × £25.00/h = £62.50", line.explanation)
        self.assertIn("× 2 sessions", line.explanation)
        self.assertIn("from 16 Dec 2025: 2.5 h × £27.50/h = £68.75", line.explanation)

    def test_all_on_the_same_day_is_one_rate(self) -> None:
        budget = plan_budget(
            [activity(planned_date=D(2025, 10, 16), frequency="same_day")], today=D(2026, 12, 1)
        )
        self.assertEqual(budget.totals.time, Decimal("500.00"))

    def test_a_session_with_no_rate_is_a_problem_named_by_its_day(self) -> None:
        # The card starts on 1 April 2025: the first weekly session, on 25 March, has no rate.
        budget = plan_budget(
            [activity(planned_date=D(2025, 3, 25), frequency="weekly")], today=D(2026, 12, 1)
        )
        self.assertIn(
            "There is no rate for advisory group meeting on 25 March 2025", budget.problems[0]
        )


class PricePerSessionThroughThePlanTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        example_rate_card()
        self.project = ProjectFactory(title="Home care study")
        add_member(self.project, self.researcher_rita)

    def test_a_submitted_plan_is_priced_per_session_and_says_how(self) -> None:
        self.client.force_login(self.researcher_rita)
        self.client.post(reverse("projects:plan-start", args=[self.project.pk]))
        data = {
            "recognition": "",
            "support_and_training": "",
            "submit": "1",
        }
        for stage in ("identifying", "design", "conduct", "analysis", "dissemination"):
            data.update(
                {
                    f"{stage}-TOTAL_FORMS": "1" if stage == "design" else "0",
                    f"{stage}-INITIAL_FORMS": "0",
                    f"{stage}-MIN_NUM_FORMS": "0",
                    f"{stage}-MAX_NUM_FORMS": "30",
                }
            )
        data.update(
            {
                "design-0-activity_type": "advisory_group",
                "design-0-advisors": "2",
                "design-0-sessions": "4",
                "design-0-hours_per_session": "2.5",
                "design-0-mode": "online",
                "design-0-planned_date": "2025-10-16",
                "design-0-frequency": "monthly",
                "design-0-expenses_per_advisor": "0.00",
                "design-0-support_cost_per_session": "0.00",
                "design-0-enhanced_support_cost": "0.00",
                "design-0-anticipated_impact": "Questions make sense.",
            }
        )
        response = self.client.post(
            reverse("projects:plan-edit", args=[self.project.pk]), data, follow=True
        )
        self.assertContains(response, "sent to the PIE team for review")
        plan = self.project.plans.get()
        self.assertEqual(plan.budget_total, Decimal("525.00"))
        self.assertContains(response, "from 16 October 2025, every month")
        self.assertContains(response, "from 16 Dec 2025: 2.5 h × £27.50/h = £68.75")
