"""payments.selectors.budget_alerts: the budgets at 80% or more committed, with a plain level."""

import datetime
from decimal import Decimal

from payments.models import CentralBudget
from payments.selectors import budget_alerts, financial_year_start
from projects.models import Project
from tests.base import BaseTestCase
from tests.factories import MeetingFactory, ProjectFactory, make_claim

TODAY = datetime.date(2026, 6, 1)


def project_with_budget(title: str, budget: str) -> Project:
    project = ProjectFactory(title=title)
    Project.objects.filter(pk=project.pk).update(pie_budget=Decimal(budget))
    return project


class BudgetAlertsTests(BaseTestCase):
    def test_budgets_at_80_and_100_percent_are_listed_over_first(self):
        within = project_with_budget("Within", "100.00")
        near = project_with_budget("Near", "100.00")
        over = project_with_budget("Over", "100.00")
        make_claim(self.alice, "approved", "79.99", project=within)
        make_claim(self.alice, "approved", "80.00", project=near)
        make_claim(self.alice, "approved", "100.00", project=over)
        # Submitted claims are not committed yet: they do not count.
        make_claim(self.alice, "submitted", "50.00", project=within)

        alerts = budget_alerts(today=TODAY)

        self.assertEqual(
            [(a.kind, a.name, a.level, a.percent) for a in alerts],
            [("project", "Over", "over budget", 100), ("project", "Near", "nearly spent", 80)],
        )
        self.assertEqual(alerts[0].project_id, over.pk)

    def test_99_point_6_percent_is_nearly_spent_not_over(self):
        project = project_with_budget("Almost", "1000.00")
        make_claim(self.alice, "approved", "996.00", project=project)

        [alert] = budget_alerts(today=TODAY)

        self.assertEqual((alert.level, alert.percent), ("nearly spent", 100))

    def test_central_budgets_count_only_this_financial_year(self):
        CentralBudget.objects.create(
            year_starting=datetime.date(2026, 4, 1), category="pieg", amount=Decimal("50.00")
        )
        CentralBudget.objects.create(
            year_starting=datetime.date(2025, 4, 1), category="pieg", amount=Decimal("10.00")
        )
        meeting = MeetingFactory(type="pieg")
        make_claim(self.alice, "approved", "45.00", meeting=meeting)

        [alert] = budget_alerts(today=TODAY)

        self.assertEqual(
            (alert.kind, alert.name, alert.level, alert.project_id),
            ("central", "PIEG meetings", "nearly spent", None),
        )

    def test_no_budget_and_empty_budgets_give_no_alerts(self):
        make_claim(self.alice, "approved", "500.00", project=ProjectFactory())
        self.assertEqual(budget_alerts(today=TODAY), [])

    def test_the_financial_year_runs_april_to_march(self):
        self.assertEqual(
            financial_year_start(datetime.date(2026, 3, 31)), datetime.date(2025, 4, 1)
        )
        self.assertEqual(financial_year_start(datetime.date(2026, 4, 1)), datetime.date(2026, 4, 1))

    def test_queries_do_not_grow_with_projects(self):
        for n in range(5):
            make_claim(self.alice, "approved", "90.00", project=project_with_budget(f"P{n}", "100"))
        CentralBudget.objects.create(
            year_starting=datetime.date(2026, 4, 1), category="pieg", amount=Decimal("50.00")
        )
        for category in ("management", "training", "support"):
            CentralBudget.objects.create(
                year_starting=datetime.date(2026, 4, 1), category=category, amount=Decimal("50")
            )
        # The projects with a budget and their sums; the year's central budgets and theirs.
        with self.assertNumQueries(2):
            alerts = budget_alerts(today=TODAY)
        self.assertEqual(len(alerts), 5)
