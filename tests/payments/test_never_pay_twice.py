"""Paths that could pay a claim twice, or pay it without the second pair of eyes."""

import datetime
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from payments import services
from payments.models import Claim
from tests.base import BaseTestCase
from tests.factories import example_rate_card, make_claim

TODAY = timezone.localdate()


class NeverPayTwiceTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.claims = [
            make_claim(self.alice, status="approved", amount="10.00"),
            make_claim(self.bob, status="approved", amount="20.00"),
        ]
        self.batch = services.batch_build(by=self.staff_sam)

    def export(self) -> str:
        self.client.force_login(self.finance_fay)
        response = self.client.get(
            reverse("payments:batch-export", args=[self.batch.pk]), {"format": "csv"}
        )
        return response.content.decode() if response.status_code == 200 else ""

    def test_a_second_export_after_part_payment_holds_only_the_unpaid_claims(self) -> None:
        services.batch_approve(batch=self.batch, by=self.finance_fay)
        services.batch_mark_paid(
            batch=self.batch, paid_on=TODAY, by=self.finance_fay, claim_ids=[self.claims[0].pk]
        )
        body = self.export()
        self.assertIn("20.00", body)
        self.assertNotIn("10.00", body)

    def test_a_paid_batch_cannot_be_exported_again(self) -> None:
        services.batch_approve(batch=self.batch, by=self.finance_fay)
        services.batch_mark_paid(batch=self.batch, paid_on=TODAY, by=self.finance_fay)
        self.client.force_login(self.finance_fay)
        response = self.client.get(
            reverse("payments:batch-export", args=[self.batch.pk]), {"format": "csv"}, follow=True
        )
        self.assertContains(response, "is paid: there is nothing left to export")

    def test_the_paid_file_cannot_pay_claims_of_a_batch_nobody_approved(self) -> None:
        with self.assertRaisesMessage(ValidationError, "which has not been approved for payment"):
            services.finance_paid_apply(rows=[(self.claims[0].pk, TODAY)], by=self.staff_sam)
        self.assertFalse(Claim.objects.filter(status="paid").exists())


class ClaimSafeguardsTest(BaseTestCase):
    def test_nobody_approves_their_own_claim(self) -> None:
        from advisors.models import Advisor

        Advisor.objects.filter(pk=self.alice.pk).update(user=self.staff_sam)
        claim = make_claim(Advisor.objects.get(pk=self.alice.pk))
        with self.assertRaisesMessage(ValidationError, "cannot approve your own claim"):
            services.claim_approve(claim=claim, by=self.staff_sam)
        services.claim_approve(claim=claim, by=self.finance_fay)

    def test_a_correction_is_not_itself_corrected(self) -> None:
        from tests.factories import mark_paid

        claim = make_claim(self.alice)
        mark_paid(claim)
        reversal = services.claim_reverse(claim=claim, by=self.staff_sam, reason="Wrong fare")
        mark_paid(reversal)
        reversal.refresh_from_db()
        with self.assertRaisesMessage(ValidationError, "itself a correction"):
            services.claim_reverse(claim=reversal, by=self.staff_sam, reason="again")

    def test_meeting_time_cannot_be_logged_by_hand(self) -> None:
        example_rate_card()
        with self.assertRaisesMessage(ValidationError, "paid from the attendance record"):
            services.claim_time_log(
                advisor=self.alice,
                by=self.staff_sam,
                activity="meeting",
                activity_date=datetime.date(2026, 5, 1),
                hours=Decimal("2"),
                description="PIEG",
            )
        self.assertFalse(Claim.objects.exists())


class BankDetailsChangeTest(BaseTestCase):
    def test_every_change_is_recorded_and_the_advisor_is_told(self) -> None:
        from django.core import mail

        from payments.models import BankDetailsChange

        with self.captureOnCommitCallbacks(execute=True):
            services.bank_details_set(
                advisor=self.alice,
                account_name="A Ashby",
                sort_code="11-22-33",
                account_number="12345678",
                by=self.advisor_alice,
            )
        with self.captureOnCommitCallbacks(execute=True):
            services.bank_details_set(
                advisor=self.alice,
                account_name="A Ashby",
                sort_code="11-22-33",
                account_number="87654321",
                by=self.advisor_alice,
            )
        changes = list(
            BankDetailsChange.objects.values_list(
                "old_last4", "new_last4", "by__username"
            ).order_by("at", "pk")
        )
        self.assertEqual(changes, [("", "5678", "alice"), ("5678", "4321", "alice")])
        self.assertEqual(len(mail.outbox), 2)
        self.assertIn("account ending 4321", mail.outbox[-1].body)
        self.assertNotIn("87654321", mail.outbox[-1].body)


class UnbatchTest(BaseTestCase):
    def test_a_claim_finance_could_not_pay_goes_back_to_approved_and_into_the_next_batch(
        self,
    ) -> None:
        claims = [
            make_claim(self.alice, status="approved", amount="10.00"),
            make_claim(self.bob, status="approved", amount="20.00"),
        ]
        batch = services.batch_build(by=self.staff_sam)
        services.batch_approve(batch=batch, by=self.finance_fay)
        self.client.force_login(self.finance_fay)
        response = self.client.post(
            reverse("payments:claim-unbatch", args=[claims[0].pk]),
            {"reason": "Bank returned the payment"},
            follow=True,
        )
        self.assertContains(response, "back to approved")
        claims[0].refresh_from_db()
        batch.refresh_from_db()
        self.assertEqual((claims[0].status, claims[0].batch), ("approved", None))
        self.assertEqual(batch.total, Decimal("20.00"))
        self.assertIn("Bank returned the payment", claims[0].events.last().note)
        services.batch_mark_paid(batch=batch, paid_on=TODAY, by=self.finance_fay)
        batch.refresh_from_db()
        self.assertEqual(batch.status, "paid")
        second = services.batch_build(by=self.staff_sam)
        self.assertEqual(list(second.claims.all()), [claims[0]])

    def test_a_paid_claim_cannot_be_taken_out(self) -> None:
        from tests.factories import mark_paid

        claim = make_claim(self.alice)
        mark_paid(claim)
        with self.assertRaisesMessage(ValidationError, "Only a claim waiting in a payment batch"):
            services.claim_unbatch(claim=claim, by=self.finance_fay, reason="x")


class BatchPageTest(BaseTestCase):
    def test_payees_without_bank_details_are_pointed_out(self) -> None:
        make_claim(self.alice, status="approved")
        make_claim(self.bob, status="approved")
        services.bank_details_set(
            advisor=self.bob, account_name="B Brown", sort_code="112233", account_number="12345678"
        )
        batch = services.batch_build(by=self.staff_sam)
        self.client.force_login(self.finance_fay)
        response = self.client.get(reverse("payments:batch", args=[batch.pk]))
        self.assertContains(response, "No bank details yet", count=1)


class DoubleSubmitTest(BaseTestCase):
    def test_the_same_form_sent_twice_makes_one_claim_and_two_forms_make_two(self) -> None:
        kwargs = dict(
            advisor=self.alice,
            by=self.advisor_alice,
            expense_type="travel",
            activity_date=datetime.date(2026, 5, 1),
            amount=Decimal("4.50"),
            description="Bus fare",
            submission_key=uuid.uuid4(),
        )
        first, _ = services.claim_expense_submit(**kwargs)
        again, _ = services.claim_expense_submit(**kwargs)
        self.assertEqual(again, first)
        self.assertEqual(Claim.objects.count(), 1)
        # The same fare again the same day, from a new form, is a second claim.
        services.claim_expense_submit(**{**kwargs, "submission_key": uuid.uuid4()})
        self.assertEqual(Claim.objects.count(), 2)
