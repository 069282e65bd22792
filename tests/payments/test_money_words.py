"""Money always reads as pounds and pence, on SQLite too.

SQLite adds up decimals as floats, so a Sum of £6,369.10 and £0.20 comes back as
6369.30000000000. Every total is rounded to the penny where it is read, and every amount on
a page goes through the `pounds` filter (or pounds_text in messages).
"""

import datetime
from decimal import Decimal

from django.test import override_settings
from django.urls import reverse

from payments import services
from payments.models import CentralBudget, Claim, PaymentBatch
from projects.models import Project
from tests.base import BaseTestCase
from tests.factories import ProjectFactory, make_claim

LONG = "6369.3000"


def pence(value: Decimal) -> bool:
    return value.as_tuple().exponent == -2


class SumsTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)

    def test_the_budgets_page_shows_pounds_and_pence(self) -> None:
        project = ProjectFactory(title="Home care")
        Project.objects.filter(pk=project.pk).update(pie_budget=Decimal("10000.00"))
        for amount in ("6369.10", "0.20"):
            claim = make_claim(self.alice, status="approved", amount=amount)
            Claim.objects.filter(pk=claim.pk).update(project=project)
        start = datetime.date(2026, 4, 1)
        CentralBudget.objects.create(year_starting=start, category="support", amount="9000")
        response = self.client.get(reverse("payments:budgets"))
        [row] = response.context["projects"]
        self.assertEqual(row.committed, Decimal("6369.30"))
        self.assertTrue(pence(row.committed) and pence(row.paid))
        self.assertContains(response, "£6,369.30")
        self.assertNotContains(response, LONG)

    def test_the_approval_queue_and_its_limit_warning_show_pounds_and_pence(self) -> None:
        self.alice.annual_limit = Decimal("100.00")
        self.alice.save()
        make_claim(self.alice, amount="6369.10")
        make_claim(self.alice, amount="0.20")
        with override_settings(ANNUAL_LIMIT_COUNTS="all"):
            response = self.client.get(reverse("payments:claims"))
        self.assertContains(response, "£6,369.30 in all")
        self.assertContains(response, "to £6,369.30, over their limit of £100.00")
        self.assertNotContains(response, LONG)

    def test_alices_tax_year_total_is_pounds_and_pence(self) -> None:
        for amount in ("6369.10", "0.20"):
            make_claim(self.alice, amount=amount)
        totals = services.advisor_year_totals(advisor=self.alice, on=datetime.date(2026, 5, 1))
        self.assertEqual(totals.total, Decimal("6369.30"))
        self.assertTrue(pence(totals.total) and pence(totals.towards_limit))

    def test_batches_and_their_messages_show_pounds_and_pence(self) -> None:
        for amount in ("6369.10", "0.20"):
            make_claim(self.alice, status="approved", amount=amount)
        page = self.client.get(reverse("payments:batches"))
        self.assertContains(page, "waiting to be paid, £6,369.30 in all")
        response = self.client.post(reverse("payments:batches"), {"build": "1"}, follow=True)
        self.assertContains(response, "2 claims, £6,369.30.")
        self.assertContains(response, "£6,369.30 for 2 claims")
        batch = PaymentBatch.objects.get()
        self.assertIn("(£6,369.30, built, waiting for approval)", str(batch))
        self.assertNotContains(response, LONG)

    def test_a_claim_page_shows_every_amount_as_pounds_and_pence(self) -> None:
        claim = make_claim(self.alice, amount="1234.5")
        response = self.client.get(reverse("payments:claim", args=[claim.pk]))
        self.assertContains(response, f"<h1>Claim #{claim.pk}: Alice Ashby, £1,234.50</h1>")
        self.assertContains(response, "£1,234.50")
        self.assertNotContains(response, "£1234.5")
