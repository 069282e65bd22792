"""An advisor's agreed (enhanced) support budget against the expense claims that use it,
shown to staff with what is left: on the claim page and the budgets page."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advisors.models import Advisor
from payments.models import Claim
from payments.selectors import support_budget_status, support_budgets
from projects.models import Project
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory, ProjectFactory, make_claim

YEAR = datetime.date(2026, 4, 1)


def give_support_budget(advisor: Advisor, amount: str) -> None:
    Advisor.objects.filter(pk=advisor.pk).update(
        enhanced_support=True, support_budget=Decimal(amount)
    )
    advisor.refresh_from_db()


class SupportBudgetStatusTests(BaseTestCase):
    def test_committed_expenses_in_the_financial_year_count(self) -> None:
        give_support_budget(self.alice, "100.00")
        make_claim(self.alice, "approved", "30.00")
        make_claim(self.alice, "approved", "20.00")
        make_claim(self.alice, "submitted", "500.00")  # not committed yet
        last_year = make_claim(self.alice, "approved", "70.00")
        Claim.objects.filter(pk=last_year.pk).update(activity_date=datetime.date(2026, 3, 31))
        make_claim(self.bob, "approved", "99.00")

        status = support_budget_status(advisor=self.alice, on=datetime.date(2026, 6, 1))

        self.assertEqual(
            (status.name, status.budget, status.committed, status.left, status.level),
            (
                "Support budget, April 2026 to March 2027",
                Decimal("100.00"),
                Decimal("50.00"),
                Decimal("50.00"),
                "",
            ),
        )

    def test_over_the_budget_says_by_how_much(self) -> None:
        give_support_budget(self.alice, "40.00")
        make_claim(self.alice, "approved", "50.00")
        status = support_budget_status(advisor=self.alice, on=YEAR)
        self.assertEqual((status.over_by, status.level), (Decimal("10.00"), "over budget"))

    def test_no_agreed_budget_is_none(self) -> None:
        self.assertIsNone(support_budget_status(advisor=self.alice, on=YEAR))

    def test_the_list_is_two_queries_whatever_its_length(self) -> None:
        for n in (1, 6):
            for _ in range(n):
                advisor = AdvisorFactory()
                give_support_budget(advisor, "10.00")
                make_claim(advisor, "approved", "9.00")
            with self.subTest(advisors=n):
                with self.assertNumQueries(2):
                    rows = support_budgets(year_starting=YEAR)
                self.assertTrue(all(row.warning == "near" for _, row in rows))


class SupportBudgetPagesTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        give_support_budget(self.alice, "100.00")
        make_claim(self.alice, "approved", "30.00")
        self.claim = make_claim(self.alice, "submitted", "25.00")

    def test_sam_sees_what_is_left_on_the_claim_page(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.get(reverse("payments:claim", args=[self.claim.pk]))
        self.assertContains(response, "Enhanced support budget")
        self.assertContains(
            response,
            "Support budget, April 2026 to March 2027: £100.00 agreed; £30.00 of expense claims "
            "approved or paid; £70.00 left. Within budget. This claim is not included until it "
            "is approved.",
        )

    def test_no_support_budget_no_line(self) -> None:
        self.client.force_login(self.finance_fay)
        claim = make_claim(self.bob)
        response = self.client.get(reverse("payments:claim", args=[claim.pk]))
        self.assertNotContains(response, "Enhanced support budget")

    def test_the_budgets_page_lists_support_budgets(self) -> None:
        self.client.force_login(self.finance_fay)
        response = self.client.get(reverse("payments:budgets") + "?year=2026")
        self.assertContains(response, "Enhanced support budgets, April 2026 to March 2027")
        self.assertContains(response, '<th scope="row" class="fw-normal">Alice Ashby</th>')
        self.assertContains(response, "£70.00")

    def test_the_advisor_cannot_see_the_staff_pages(self) -> None:
        self.client.force_login(self.advisor_alice)
        self.assertEqual(self.client.get(reverse("payments:budgets")).status_code, 403)


class BudgetsPageQueriesTests(BaseTestCase):
    def test_the_budgets_page_queries_do_not_grow_with_projects_or_advisors(self) -> None:
        self.client.force_login(self.staff_sam)
        url = reverse("payments:budgets") + "?year=2026"
        self.client.get(url)  # warm the session
        counts, total = [], 0
        for n in (2, 8):
            total += n
            for _ in range(n):
                advisor = AdvisorFactory()
                give_support_budget(advisor, "10.00")
                project = ProjectFactory()
                Project.objects.filter(pk=project.pk).update(pie_budget=Decimal("50.00"))
                make_claim(advisor, "approved", "9.00", project=project)
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(url)
            self.assertEqual(len(response.context["support"]), total)
            counts.append(len(queries))
        # session, user, roles, how many projects (the pager), a page of projects, their
        # sums, days to pay, central budgets, support advisors, their sums, the oldest claims
        # at risk with their count: the same for 2 or 8 of each.
        self.assertEqual(counts[0], counts[1])
        self.assertLessEqual(counts[0], 11)
