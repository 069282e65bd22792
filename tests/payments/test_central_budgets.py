"""Central budgets per financial year (April to March): the PIE team sets them on
/staff/payments/budgets/central/, finance sees them, nobody else opens the page."""

import datetime
from decimal import Decimal

from django.urls import reverse

from payments.models import CentralBudget
from tests.base import BaseTestCase
from tests.factories import make_claim

URL = reverse("payments:central-budgets")
BUDGETS = reverse("payments:budgets")
YEAR = datetime.date(2026, 4, 1)


def amounts(**overrides) -> dict:
    return {"pieg": "", "management": "", "training": "", "support": "", **overrides}


class CentralBudgetsTests(BaseTestCase):
    def test_sam_sets_a_years_budgets_with_pound_signs(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.post(
            f"{URL}?year=2026", amounts(pieg="£2,500", support="800.50"), follow=True
        )
        self.assertRedirects(response, f"{BUDGETS}?year=2026")
        self.assertContains(response, "Central budgets for April 2026 to March 2027 saved.")
        self.assertEqual(
            dict(CentralBudget.objects.values_list("category", "amount")),
            {"pieg": Decimal("2500.00"), "support": Decimal("800.50")},
        )
        self.assertEqual(set(CentralBudget.objects.values_list("year_starting", flat=True)), {YEAR})

    def test_changing_and_removing_a_budget(self) -> None:
        CentralBudget.objects.create(year_starting=YEAR, category="pieg", amount=Decimal("10"))
        CentralBudget.objects.create(year_starting=YEAR, category="training", amount=Decimal("5"))
        self.client.force_login(self.staff_sam)
        response = self.client.get(f"{URL}?year=2026")
        self.assertContains(response, 'value="10.00"')
        self.client.post(f"{URL}?year=2026", amounts(pieg="20"))
        self.assertEqual(
            dict(CentralBudget.objects.values_list("category", "amount")), {"pieg": Decimal("20")}
        )

    def test_another_year_is_chosen_with_the_picker(self) -> None:
        self.client.force_login(self.staff_sam)
        self.client.post(f"{URL}?year=2025", amounts(training="300"))
        self.assertEqual(CentralBudget.objects.get().year_starting, datetime.date(2025, 4, 1))
        response = self.client.get(f"{BUDGETS}?year=2025")
        self.assertContains(response, "Central budgets, 1 April 2025 to 31 March 2026")
        self.assertContains(response, '<option value="2025" selected>April 2025 to March 2026')
        # A year the picker does not offer falls back to this year.
        response = self.client.get(f"{BUDGETS}?year=1999")
        self.assertNotContains(response, "April 1999")

    def test_bad_amounts_are_refused_in_plain_words(self) -> None:
        self.client.force_login(self.staff_sam)
        for typed, message in [
            ("-5", "A budget cannot be less than £0.00."),
            ("£1e9", "Enter the budget in pounds, like 2,500 or £2,500.00."),
            ("abc", "Enter the budget in pounds, like 2,500 or £2,500.00."),
        ]:
            with self.subTest(typed=typed):
                response = self.client.post(f"{URL}?year=2026", amounts(pieg=typed))
                self.assertContains(response, message, status_code=400)
        self.assertFalse(CentralBudget.objects.exists())

    def test_finance_sees_them_but_cannot_change_them(self) -> None:
        CentralBudget.objects.create(year_starting=YEAR, category="pieg", amount=Decimal("10"))
        self.client.force_login(self.finance_fay)
        response = self.client.get(f"{URL}?year=2026")
        self.assertContains(response, "Only the PIE team can change central budgets.")
        self.assertContains(response, "£10.00")
        self.assertNotContains(response, "Save the central budgets")
        response = self.client.post(f"{URL}?year=2026", amounts(pieg="99"))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(CentralBudget.objects.get().amount, Decimal("10"))

    def test_nobody_else_opens_it(self) -> None:
        for user in (self.manager_mo, self.researcher_rita, self.advisor_alice):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(URL).status_code, 403)
                self.assertEqual(self.client.post(URL, amounts(pieg="1")).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(URL).status_code, 302)
        self.assertFalse(CentralBudget.objects.exists())

    def test_the_budgets_page_shows_claims_against_a_new_budget(self) -> None:
        self.client.force_login(self.staff_sam)
        self.client.post(f"{URL}?year=2026", amounts(support="50"))
        make_claim(self.alice, "approved", "45.00")
        response = self.client.get(f"{BUDGETS}?year=2026")
        self.assertContains(response, "Support for advisors")
        self.assertContains(response, "Nearly spent: 80% or more")

    def test_queries_do_not_grow_with_the_budgets(self) -> None:
        self.client.force_login(self.staff_sam)
        self.client.get(URL)  # the session's first sight of the page
        for n, categories in ((1, ["pieg"]), (4, ["pieg", "management", "training", "support"])):
            CentralBudget.objects.all().delete()
            for category in categories:
                CentralBudget.objects.create(year_starting=YEAR, category=category, amount=1)
            with self.subTest(budgets=n):
                # 1 session, 2 user, 3 the user's roles, 4 the year's budgets
                with self.assertNumQueries(4):
                    self.client.get(f"{URL}?year=2026")
