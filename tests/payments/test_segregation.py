"""Segregation of duties in payments: a claim entered for an advisor is approved by someone
else, and bank details entered by staff are used only once the advisor or a colleague has
confirmed them (the advisor is told either way)."""

from django.core import mail
from django.urls import reverse

from ascru_pie.roles import Role
from payments import services
from payments.models import BankDetails, BankDetailsChange, Claim
from tests.base import BaseTestCase, key_of, make_user
from tests.factories import make_claim

CLAIM_NEW = reverse("payments:claim-new")
QUEUE = reverse("payments:claims")


def expense(advisor, **overrides) -> dict:
    return {
        "kind": "expense",
        "advisor": advisor.pk,
        "expense_type": "travel",
        "activity_date": "2026-05-01",
        "amount": "23.40",
        "description": "Train to Canterbury",
        **overrides,
    }


class ClaimEnteredForAnAdvisorTest(BaseTestCase):
    """Sam takes Alice's claim by phone: Fay (or another colleague) approves it, never Sam."""

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)
        self.client.post(CLAIM_NEW, expense(self.alice))
        self.claim = Claim.objects.get()

    def messages_of(self, response) -> list[str]:
        return [str(m) for m in response.context["messages"]]

    def test_the_claim_page_tells_the_person_who_entered_it_to_ask_a_colleague(self) -> None:
        response = self.client.get(reverse("payments:claim", args=[self.claim.pk]))
        self.assertContains(response, "A colleague needs to approve this claim.")
        self.assertNotContains(response, "Approve this claim</button>")

    def test_approving_it_yourself_changes_nothing_and_says_why(self) -> None:
        response = self.client.post(
            reverse("payments:claim", args=[self.claim.pk]), {"approve": "1"}, follow=True
        )
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.status, Claim.Status.SUBMITTED)
        self.assertIn(
            "Nothing was changed: You entered this claim for the advisor, so someone else must "
            "approve it: ask a colleague.",
            self.messages_of(response),
        )

    def test_a_colleague_approves_it(self) -> None:
        self.client.force_login(self.finance_fay)
        response = self.client.get(reverse("payments:claim", args=[self.claim.pk]))
        self.assertContains(response, "Approve this claim</button>")
        self.client.post(reverse("payments:claim", args=[self.claim.pk]), {"approve": "1"})
        self.claim.refresh_from_db()
        self.assertEqual(
            (self.claim.status, self.claim.approved_by), (Claim.Status.APPROVED, self.finance_fay)
        )

    def test_bulk_approval_skips_it_with_a_message_and_approves_the_rest(self) -> None:
        other = make_claim(self.bob)  # sent by Bob in his portal: Sam may approve it
        response = self.client.get(QUEUE)
        self.assertContains(response, "A colleague approves this one")
        self.assertNotContains(response, f'name="claims" value="{self.claim.pk}"')
        self.assertContains(response, f'name="claims" value="{other.pk}"')

        # A hand-made form that ticks it anyway.
        response = self.client.post(QUEUE, {"claims": [self.claim.pk, other.pk]}, follow=True)
        self.claim.refresh_from_db()
        other.refresh_from_db()
        self.assertEqual(
            (self.claim.status, other.status), (Claim.Status.SUBMITTED, Claim.Status.APPROVED)
        )
        self.assertEqual(
            self.messages_of(response),
            [
                "1 claim approved.",
                f"Claim #{self.claim.pk} was not approved. You entered this claim for the "
                "advisor, so someone else must approve it: ask a colleague.",
            ],
        )

    def test_the_service_refuses_whoever_calls_it(self) -> None:
        with self.assertRaisesMessage(Exception, "someone else must approve it"):
            services.claim_approve(claim=self.claim, by=self.staff_sam)
        outcome = services.claims_approve(claims=[self.claim], by=self.staff_sam)
        self.assertEqual((outcome.approved, [c for c, _ in outcome.skipped]), (0, [self.claim]))

    def test_a_claim_the_advisor_sent_themselves_is_approved_as_before(self) -> None:
        self.client.force_login(self.advisor_alice)
        own, _ = services.claim_expense_submit(
            advisor=self.alice,
            by=self.advisor_alice,
            expense_type="travel",
            amount="12.00",
            description="Bus",
            activity_date=self.claim.activity_date,
        )
        self.client.force_login(self.staff_sam)
        self.client.post(QUEUE, {"claims": [own.pk]})
        own.refresh_from_db()
        self.assertEqual(own.status, Claim.Status.APPROVED)


class BankDetailsEnteredByStaffTest(BaseTestCase):
    """Fay types in Alice's new bank details from a letter: they are not used to pay her until
    Alice or a colleague confirms them, and Alice is told at her address on the register."""

    def setUp(self) -> None:
        super().setUp()
        services.bank_details_set(
            advisor=self.alice,
            by=self.advisor_alice,
            account_name="A Ashby",
            sort_code="11-22-33",
            account_number="11112222",
        )
        mail.outbox.clear()
        self.page = reverse("payments:bank-details", args=[self.alice.pk])
        self.client.force_login(self.finance_fay)

    def enter(self, **overrides):
        data = {
            "account_name": "Alice Ashby",
            "sort_code": "44-55-66",
            "account_number": "87654321",
            **overrides,
        }
        return self.client.post(self.page, data, follow=True)

    def details(self) -> BankDetails:
        return BankDetails.objects.get(advisor=self.alice)

    def test_entered_details_wait_and_the_advisor_is_told_without_full_numbers(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.enter()
        self.assertContains(response, "They will be used once")
        self.assertEqual(self.details().account_number_last4, "2222")
        change = BankDetailsChange.objects.get(status=BankDetailsChange.Status.PENDING)
        self.assertEqual((change.by, change.new_last4), (self.finance_fay, "4321"))
        [message] = mail.outbox
        self.assertEqual(message.to, [self.alice.email])
        body = message.body + message.alternatives[0][0]
        self.assertIn("ending 4321", message.body)
        for secret in ("87654321", "445566", "44-55-66"):
            self.assertNotIn(secret, body)
        self.assertIn(reverse("payments:portal-preferences"), message.body)

    def test_whoever_entered_them_cannot_confirm_them(self) -> None:
        self.enter()
        change = BankDetailsChange.objects.get(status=BankDetailsChange.Status.PENDING)
        response = self.client.get(self.page)
        self.assertContains(response, "waiting for Alice Ashby or a colleague to confirm")
        self.assertNotContains(response, "Confirm these details</button>")
        response = self.client.post(
            reverse("payments:bank-details-confirm", args=[change.pk]), follow=True
        )
        self.assertContains(response, "someone else must confirm them")
        self.assertEqual(self.details().account_number_last4, "2222")

    def test_a_colleague_confirms_them_and_the_advisor_is_told_again(self) -> None:
        self.enter()
        change = BankDetailsChange.objects.get(status=BankDetailsChange.Status.PENDING)
        self.client.force_login(make_user("frank", Role.FINANCE, is_staff=True))
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("payments:bank-details-confirm", args=[change.pk]))
        self.assertEqual(self.details().account_number_last4, "4321")
        change.refresh_from_db()
        self.assertEqual(change.status, BankDetailsChange.Status.APPLIED)
        self.assertEqual([m.to for m in mail.outbox], [[self.alice.email]])
        self.assertIn("ending 4321", mail.outbox[0].body)

    def test_the_advisor_confirms_them_in_her_portal(self) -> None:
        self.enter()
        self.client.force_login(self.advisor_alice)
        response = self.client.get(reverse("payments:portal-preferences"))
        self.assertContains(response, "account ending 4321")
        change = BankDetailsChange.objects.get(status=BankDetailsChange.Status.PENDING)
        self.client.post(reverse("payments:portal-bank-confirm", args=[change.pk]))
        self.assertEqual(self.details().account_number_last4, "4321")

    def test_another_advisor_cannot_confirm_them(self) -> None:
        self.enter()
        change = BankDetailsChange.objects.get(status=BankDetailsChange.Status.PENDING)
        self.client.force_login(self.advisor_bob)
        response = self.client.post(reverse("payments:portal-bank-confirm", args=[change.pk]))
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.details().account_number_last4, "2222")

    def test_the_advisors_own_change_in_the_portal_is_used_at_once(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.get(reverse("payments:portal-preferences"))
        self.client.post(
            reverse("payments:portal-preferences"),
            {
                "payment_preference": "bank",
                "annual_limit": "",
                "account_name": "Alice Ashby",
                "sort_code": "44-55-66",
                "account_number": "87654321",
                "submission_key": key_of(response),
            },
        )
        self.assertEqual(self.details().account_number_last4, "4321")
