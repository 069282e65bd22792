"""One claim per submission: every form that writes money carries a one-time key.

The same form sent again (a double click, a reload, a retry) finds what the first sending
made, writes nothing more and tells the person the normal outcome; two forms filled in the
same way (two bus fares on one day) are two claims. The concurrent version of each of these
is in test_concurrent_submissions.py (PostgreSQL).
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from payments.models import BankDetailsChange, Claim, ClaimEvent
from tests.base import BaseTestCase, key_of, stored_files
from tests.factories import example_rate_card

NOW = datetime.datetime(2026, 5, 20, 12, 0, tzinfo=ZoneInfo("Europe/London"))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXPENSE = reverse("payments:portal-expense")
TIME = reverse("payments:portal-time")
PREFERENCES = reverse("payments:portal-preferences")
CLAIM_NEW = reverse("payments:claim-new")
PORTAL = reverse("payments:portal")


@time_machine.travel(NOW, tick=False)
class PortalClaimKeyTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        example_rate_card()
        self.client.force_login(self.advisor_alice)

    def bus_fare(self, key: str, **overrides) -> dict:
        return {
            "submission_key": key,
            "expense_type": "travel",
            "activity_date": "2026-05-12",
            "amount": "2.00",
            "description": "Bus fare",
            "meeting": "",
            **overrides,
        }

    def test_each_form_has_its_own_key_in_a_hidden_field(self) -> None:
        first, second = self.client.get(EXPENSE), self.client.get(EXPENSE)
        self.assertContains(first, f'type="hidden" name="submission_key" value="{key_of(first)}"')
        self.assertNotEqual(key_of(first), key_of(second))

    def test_alice_sends_her_expense_twice_and_has_one_claim_and_the_usual_thank_you(self) -> None:
        data = self.bus_fare(key_of(self.client.get(EXPENSE)))
        first = self.client.post(EXPENSE, data, follow=True)
        again = self.client.post(EXPENSE, data, follow=True)
        for response in (first, again):
            self.assertRedirects(response, PORTAL)
            self.assertContains(response, "Thank you. We have your claim for £2.00 (Bus fare).")
        self.assertEqual(Claim.objects.count(), 1)
        self.assertEqual(ClaimEvent.objects.count(), 1)

    def test_two_bus_fares_on_one_day_from_two_forms_are_two_claims(self) -> None:
        for _ in range(2):
            self.client.post(EXPENSE, self.bus_fare(key_of(self.client.get(EXPENSE))))
        self.assertEqual(
            list(Claim.objects.values_list("description", "amount")),
            [("Bus fare", Decimal("2.00")), ("Bus fare", Decimal("2.00"))],
        )

    def test_a_receipt_sent_again_is_not_kept_twice(self) -> None:
        before = stored_files()
        data = self.bus_fare(key_of(self.client.get(EXPENSE)))
        for _ in range(2):
            receipt = SimpleUploadedFile("ticket.png", PNG, content_type="image/png")
            self.client.post(EXPENSE, {**data, "receipt": receipt})
        self.assertEqual(Claim.objects.count(), 1)
        self.assertEqual(len(stored_files()) - len(before), 1)

    def test_time_sent_twice_is_logged_once(self) -> None:
        data = {
            "submission_key": key_of(self.client.get(TIME)),
            "activity": "document_review",
            "activity_date": "2026-05-10",
            "hours": "2",
            "description": "Read the draft survey",
            "project": "",
        }
        for _ in range(2):
            response = self.client.post(TIME, data, follow=True)
            self.assertContains(response, "We have logged 2 hours of document review")
        self.assertEqual(Claim.objects.count(), 1)

    def test_submit_anyway_carries_the_key_of_the_form_she_filled_in(self) -> None:
        self.alice.annual_limit = Decimal("10.00")
        self.alice.save()
        data = {
            "submission_key": key_of(self.client.get(TIME)),
            "activity": "document_review",
            "activity_date": "2026-05-10",
            "hours": "2",
            "description": "Read the draft survey",
            "project": "",
        }
        warned = self.client.post(TIME, data)
        self.assertContains(warned, "Submit anyway")
        self.assertContains(warned, f'name="submission_key" value="{data["submission_key"]}"')
        confirmed = {**data, "confirm_over_limit": "1"}
        self.client.post(TIME, confirmed)
        self.client.post(TIME, confirmed)  # a second click on "Submit anyway"
        self.assertEqual(Claim.objects.count(), 1)

    def test_a_key_from_alices_form_cannot_make_or_show_a_claim_for_bob(self) -> None:
        data = self.bus_fare(key_of(self.client.get(EXPENSE)))
        self.client.post(EXPENSE, data, follow=True)  # Alice reads her "thank you"
        self.client.force_login(self.advisor_bob)
        response = self.client.post(EXPENSE, data)
        self.assertContains(response, "This form has already been used", status_code=400)
        self.assertNotContains(response, "We have your claim", status_code=400)
        self.assertEqual(list(Claim.objects.values_list("advisor", flat=True)), [self.alice.pk])


@time_machine.travel(NOW, tick=False)
class StaffClaimKeyTest(BaseTestCase):
    def test_a_claim_sam_enters_by_phone_and_saves_twice_is_one_claim(self) -> None:
        self.client.force_login(self.staff_sam)
        data = {
            "submission_key": key_of(self.client.get(CLAIM_NEW)),
            "kind": "expense",
            "advisor": self.alice.pk,
            "expense_type": "travel",
            "activity_date": "2026-05-01",
            "amount": "23.40",
            "description": "Train to Canterbury",
        }
        first, again = self.client.post(CLAIM_NEW, data), self.client.post(CLAIM_NEW, data)
        claim = Claim.objects.get()
        self.assertEqual(first["Location"], reverse("payments:claim", args=[claim.pk]))
        self.assertEqual(again["Location"], first["Location"])
        self.assertEqual(claim.events.count(), 1)


@time_machine.travel(NOW, tick=False)
class BankDetailsKeyTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.advisor_alice)

    def details(self, key: str) -> dict:
        return {
            "submission_key": key,
            "payment_preference": "bank",
            "annual_limit": "",
            "account_name": "A Ashby",
            "sort_code": "40-11-62",
            "account_number": "31926819",
        }

    def test_bank_details_sent_twice_are_recorded_once_and_emailed_once(self) -> None:
        data = self.details(key_of(self.client.get(PREFERENCES)))
        for _ in range(2):
            with self.captureOnCommitCallbacks(execute=True):
                response = self.client.post(PREFERENCES, data, follow=True)
            self.assertContains(
                response, "Your payment preferences and bank details have been saved."
            )
        self.assertEqual(BankDetailsChange.objects.count(), 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_the_same_details_from_a_new_form_are_a_new_change(self) -> None:
        for _ in range(2):
            with self.captureOnCommitCallbacks(execute=True):
                self.client.post(PREFERENCES, self.details(key_of(self.client.get(PREFERENCES))))
        self.assertEqual(BankDetailsChange.objects.count(), 2)
        self.assertEqual(len(mail.outbox), 2)

    def test_preferences_sent_again_unchanged_write_nothing(self) -> None:
        data = {**self.details(key_of(self.client.get(PREFERENCES))), "annual_limit": "500"}
        self.client.post(PREFERENCES, data)
        self.alice.refresh_from_db()
        saved_at = self.alice.updated_at
        with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
            self.client.post(PREFERENCES, data)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.updated_at, saved_at)
        self.assertEqual(BankDetailsChange.objects.count(), 1)
