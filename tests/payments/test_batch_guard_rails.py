"""Batches: payees with no bank details are listed before approval and export; marking the
whole batch paid asks first, with the total; the wording follows the batch's state."""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from payments import services
from payments.models import BankDetails, Claim, PaymentBatch
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory, make_claim

TODAY = timezone.localdate()


def give_bank_details(advisor) -> None:
    BankDetails.objects.create(
        advisor=advisor,
        account_name=advisor.full_name,
        sort_code_encrypted="x",
        account_number_encrypted="x",
        account_number_last4="1234",
    )


class BatchGuardRailTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Alice is paid by bank transfer and has details; Bob has none yet; Vera takes vouchers.
        give_bank_details(self.alice)
        self.vera = AdvisorFactory(
            first_name="Vera", last_name="Voucher", payment_preference="voucher"
        )
        for advisor, amount in ((self.alice, "40.00"), (self.bob, "12.35"), (self.vera, "10.00")):
            make_claim(advisor, "approved", amount)
        self.batch = services.batch_build(by=self.staff_sam)
        self.url = reverse("payments:batch", args=[self.batch.pk])

    def approve(self) -> None:
        services.batch_approve(batch=self.batch, by=self.finance_fay)

    def test_a_draft_lists_payees_without_bank_details_before_approval(self) -> None:
        self.client.force_login(self.finance_fay)
        response = self.client.get(self.url)
        self.assertContains(
            response, "Status: Draft: built, waiting for someone else to approve it"
        )
        self.assertContains(response, "1 payee to be paid by bank transfer has no bank details")
        self.assertContains(response, "Check before approving the batch")
        self.assertContains(response, "<li>Bob Brown</li>", html=True)
        self.assertNotContains(response, "<li>Vera Voucher</li>", html=True)
        self.assertNotContains(response, "<li>Alice Ashby</li>", html=True)

    def test_an_approved_batch_warns_before_export(self) -> None:
        self.approve()
        self.client.force_login(self.staff_sam)
        response = self.client.get(self.url)
        self.assertContains(response, "Approved for payment: not yet exported for finance")
        self.assertContains(response, "Check before exporting the batch")
        self.assertContains(response, "<li>Bob Brown</li>", html=True)

    def test_with_everyone_ready_there_is_no_warning(self) -> None:
        give_bank_details(self.bob)
        self.client.force_login(self.staff_sam)
        self.assertNotContains(self.client.get(self.url), "no bank details")

    def test_marking_the_whole_batch_paid_asks_first_with_the_total(self) -> None:
        self.approve()
        PaymentBatch.objects.filter(pk=self.batch.pk).update(exported_at=timezone.now())
        self.client.force_login(self.finance_fay)
        response = self.client.get(self.url)
        self.assertContains(response, "Exported for finance: waiting to be marked paid")
        response = self.client.post(self.url, {"mark_paid": "1", "paid_on": TODAY.isoformat()})
        self.assertContains(response, "Mark the whole batch paid?")
        self.assertContains(response, "This marks 3 claims, £62.35 in all, as paid on")
        self.assertContains(response, "Yes, mark 3 claims paid (£62.35)")
        self.assertFalse(Claim.objects.filter(status="paid").exists())

        response = self.client.post(
            self.url,
            {"mark_paid": "1", "paid_on": TODAY.isoformat(), "confirm_paid": "1"},
            follow=True,
        )
        self.assertContains(response, "Status: Paid on")
        self.assertContains(response, "The batch is paid: there is nothing left to export.")
        self.assertNotContains(response, "no bank details")
        self.assertEqual(Claim.objects.filter(status="paid").count(), 3)

    def test_a_future_date_is_refused_before_the_question(self) -> None:
        self.approve()
        self.client.force_login(self.staff_sam)
        tomorrow = TODAY + timezone.timedelta(days=1)
        response = self.client.post(self.url, {"mark_paid": "1", "paid_on": tomorrow.isoformat()})
        self.assertContains(response, "The payment date cannot be in the future.", status_code=400)
        self.assertNotContains(response, "Mark the whole batch paid?", status_code=400)

    def test_only_the_pie_team_and_finance_mark_paid(self) -> None:
        self.approve()
        for user in (self.manager_mo, self.researcher_rita, self.advisor_bob):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.post(
                    self.url, {"mark_paid": "1", "paid_on": TODAY.isoformat(), "confirm_paid": "1"}
                )
                self.assertIn(response.status_code, (403, 404))
        self.assertFalse(Claim.objects.filter(status="paid").exists())

    def test_the_list_says_where_each_batch_is_up_to(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.get(reverse("payments:batches"))
        self.assertContains(response, "Draft: built, waiting for someone else to approve it")


class BatchPageQueriesTests(BaseTestCase):
    def test_queries_do_not_grow_with_payees_missing_bank_details(self) -> None:
        self.client.force_login(self.staff_sam)
        for n in (2, 9):
            claims = [make_claim(AdvisorFactory(), "approved") for _ in range(n)]
            batch = services.batch_build(by=self.staff_sam, claim_ids=[c.pk for c in claims])
            with self.subTest(claims=n):
                # 1 session, 2 user, 3 the user's roles, 4 the batch with its builder and
                # approver, 5 its figures, 6 the pager's count, 7 a page of its claims with
                # their advisors and bank details, 8 payees with no bank details
                with self.assertNumQueries(8):
                    response = self.client.get(reverse("payments:batch", args=[batch.pk]))
                self.assertEqual(len(response.context["missing_bank"]), n)
                self.assertEqual(response.context["unpaid_total"], Decimal("40.00") * n)
