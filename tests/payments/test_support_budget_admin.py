"""The advisor's page in the admin shows their agreed support budget against the expense
claims that use it, with what is left (issue 14, "Enhanced support"), for the PIE team and
finance. Read-only: the figure comes from claims (payments extends the advisor admin)."""

import datetime
from decimal import Decimal

import time_machine
from django.contrib import admin
from django.urls import reverse

from advisors.admin import AdvisorAdmin
from advisors.models import Advisor
from tests.base import BaseTestCase
from tests.factories import make_claim

# Inside the financial year of make_claim's activity date (1 May 2026).
NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
USED = "Support budget used"


def change_url(advisor: Advisor) -> str:
    return reverse("admin:advisors_advisor_change", args=[advisor.pk])


@time_machine.travel(NOW, tick=False)
class SupportBudgetOnTheAdvisorAdminTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        Advisor.objects.filter(pk=self.alice.pk).update(
            enhanced_support=True, support_budget=Decimal("100.00")
        )
        make_claim(self.alice, "approved", "30.00")
        make_claim(self.alice, "approved", "12.40")
        make_claim(self.alice, "submitted", "500.00")  # not approved yet: not counted

    def test_the_pie_team_and_finance_see_what_is_used_and_left(self) -> None:
        for user in (self.staff_sam, self.finance_fay):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(change_url(self.alice))
                self.assertContains(response, USED)
                self.assertContains(
                    response,
                    "Support budget, April 2026 to March 2027: £100.00 agreed; £42.40 used by "
                    "approved or paid expense claims; £57.60 left. Within budget.",
                )

    def test_over_the_budget_says_by_how_much(self) -> None:
        make_claim(self.alice, "approved", "70.00")
        self.client.force_login(self.staff_sam)
        response = self.client.get(change_url(self.alice))
        self.assertContains(response, "£112.40 used")
        self.assertContains(response, "£12.40 over the budget. Over budget.")

    def test_no_agreed_budget_says_so(self) -> None:
        self.client.force_login(self.staff_sam)
        self.assertContains(self.client.get(change_url(self.bob)), "No support budget agreed.")

    def test_it_is_read_only_and_the_record_still_saves(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.get(change_url(self.alice))
        self.assertNotIn("support_budget_used", response.context["adminform"].form.fields)
        self.assertIn("support_budget", response.context["adminform"].form.fields)

    def test_not_on_the_add_page(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.get(reverse("admin:advisors_advisor_add"))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, USED)

    def test_the_advisor_admin_is_the_advisors_apps_one_extended(self) -> None:
        self.assertIsInstance(admin.site._registry[Advisor], AdvisorAdmin)
