"""The PIE budget against hand-worked examples, to the penny."""

from datetime import date
from decimal import Decimal

from django.test import TestCase

from projects.budget import RateBook, plan_budget
from projects.models import PlannedActivity
from tests.factories import example_rate_card

TODAY = date(2026, 11, 26)


def activity(**kw) -> PlannedActivity:
    defaults = {
        "stage": "design",
        "activity_type": "advisory_group",
        "advisors": 1,
        "sessions": 1,
        "hours_per_session": Decimal("1"),
        "anticipated_impact": "x",
    }
    return PlannedActivity(**{**defaults, **kw})


class BudgetTest(TestCase):
    def setUp(self) -> None:
        example_rate_card()

    def test_hand_worked_plan_with_a_rate_change_and_enhanced_support(self) -> None:
        activities = [
            # Before the rise: 2.5 h x £25 = £62.50 per advisor-session; x 4 advisors x 3 sessions = £750.00.
            # (All three on 1 November; sessions spread over a rate change: test_session_dates.py.)
            # Expenses £12.50 x 12 = £150.00. Support £40 x 3 sessions = £120.00.
            activity(
                stage="design",
                advisors=4,
                sessions=3,
                frequency="same_day",
                hours_per_session=Decimal("2.5"),
                planned_date=date(2025, 11, 1),
                expenses_per_advisor=Decimal("12.50"),
                support_cost_per_session=Decimal("40.00"),
            ),
            # After the rise: 4 h is a half day, £99.00; x 3 x 2 = £594.00.
            # Support: BSL £180 x 2 sessions + £250 enhanced support = £610.00.
            activity(
                stage="conduct",
                activity_type="workshop",
                advisors=3,
                sessions=2,
                hours_per_session=Decimal("4"),
                planned_date=date(2026, 1, 10),
                support_cost_per_session=Decimal("180.00"),
                enhanced_support_cost=Decimal("250.00"),
            ),
            # No date: today's rate. 1.75 h x £27.50 = £48.125 -> £48.13 (half up); x 2 = £96.26.
            activity(
                stage="dissemination",
                activity_type="document_review",
                advisors=2,
                hours_per_session=Decimal("1.75"),
            ),
        ]
        budget = plan_budget(activities, today=TODAY)
        self.assertEqual(
            [line.costs.total for line in budget.lines],
            [Decimal("1020.00"), Decimal("1204.00"), Decimal("96.26")],
        )
        self.assertEqual(budget.totals.time, Decimal("1440.26"))
        self.assertEqual(budget.totals.expenses, Decimal("150.00"))
        self.assertEqual(budget.totals.support, Decimal("730.00"))
        self.assertEqual(budget.totals.total, Decimal("2320.26"))
        self.assertEqual(budget.by_stage["conduct"].support, Decimal("610.00"))
        self.assertEqual(budget.problems, [])

    def test_the_rate_in_force_on_the_activity_date_is_used(self) -> None:
        before = plan_budget([activity(planned_date=date(2025, 12, 15))], today=TODAY)
        on_the_day = plan_budget([activity(planned_date=date(2025, 12, 16))], today=TODAY)
        self.assertEqual(before.totals.time, Decimal("25.00"))
        self.assertEqual(on_the_day.totals.time, Decimal("27.50"))

    def test_full_day_and_half_day_thresholds(self) -> None:
        cases = [
            ("3.49", "95.98"),
            ("3.5", "99.00"),
            ("5.99", "99.00"),
            ("6", "181.50"),
            ("8", "181.50"),
        ]
        for hours, expected in cases:
            with self.subTest(hours=hours):
                budget = plan_budget([activity(hours_per_session=Decimal(hours))], today=TODAY)
                self.assertEqual(budget.totals.time, Decimal(expected))

    def test_stage_totals_reconcile_with_the_grand_total(self) -> None:
        activities = [
            activity(
                stage=s,
                hours_per_session=Decimal("1.33"),
                advisors=3,
                sessions=7,
                expenses_per_advisor=Decimal("3.33"),
            )
            for s in ("design", "design", "analysis", "conduct")
        ]
        budget = plan_budget(activities, today=TODAY)
        self.assertEqual(
            sum((c.total for c in budget.by_stage.values()), Decimal("0")), budget.totals.total
        )
        self.assertEqual(
            budget.totals.time + budget.totals.expenses + budget.totals.support, budget.totals.total
        )

    def test_a_missing_rate_is_a_clear_problem_not_a_silent_zero(self) -> None:
        budget = plan_budget([activity(planned_date=date(2020, 1, 1))], today=TODAY)
        self.assertEqual(budget.totals.time, Decimal("0.00"))
        self.assertIn(
            "There is no rate for advisory group meeting on 01 January 2020", budget.problems[0]
        )

    def test_rates_are_read_once_however_many_activities(self) -> None:
        with self.assertNumQueries(1):
            plan_budget([activity() for _ in range(20)], today=TODAY)
        rates = RateBook()
        with self.assertNumQueries(0):
            plan_budget([activity() for _ in range(20)], today=TODAY, rates=rates)
