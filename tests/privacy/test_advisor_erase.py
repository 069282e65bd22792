"""Erasing an advisor: nothing of theirs is left readable, the money still adds up to the
penny, and nobody else's data changes."""

import datetime
from pathlib import Path

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from advisors.consent import consent_record
from advisors.models import Advisor, ApplicationEvent, EqualityMonitoring
from payments.models import BankDetails, Claim, ClaimEvent
from payments.selectors import central_budgets, project_budgets, tax_year_statement
from payments.services.bank_details import bank_details_set
from privacy.erasure import ErasureBlocked, advisor_erase
from privacy.records import ErasureRecord
from privacy.register import rows_for
from reminders.models import Delivery
from reports.models import ReportRequest
from tests.base import PASSWORD, BaseTestCase
from tests.factories import ApplicationFactory, make_claim, make_report, mark_paid, small_unit

ALICE_SECRETS = ["Ashby", "alice@example.org", "07700 900123", "AB1 2CD", "Wheelchair user"]
SKIP_MODELS = {"sessions.Session"}


def text_values() -> list[tuple[str, str]]:
    """Every text, file and JSON value in the database, with where it is."""
    found = []
    for model in apps.get_models():
        if model._meta.label in SKIP_MODELS:
            continue
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(
                f, models.CharField | models.TextField | models.FileField | models.JSONField
            )
        ]
        if not names:
            continue
        for row in model._base_manager.values_list("pk", *names):
            for name, value in zip(names, row[1:], strict=True):
                if value:
                    found.append((f"{model._meta.label}.{name}#{row[0]}", str(value)))
    return found


def snapshot(advisor) -> dict:
    """Every value of every registered row about an advisor."""
    return {entry.model: sorted(map(str, qs.values())) for entry, qs in rows_for(advisor)}


def seed_alices_life(tc) -> None:
    """Alice's details everywhere the register says they can be."""
    small_unit(tc)
    alice = tc.alice
    alice.phone, alice.postcode = "07700 900123", "AB1 2CD"
    alice.address, alice.support_needs = "1 High Street", "Wheelchair user"
    alice.staff_notes = "Alice Ashby prefers mornings"
    alice.save()
    alice.topics.set([])
    tc.receipt_claim = make_claim(alice, receipt=b"%PDF receipt")
    Claim.objects.filter(pk=tc.receipt_claim.pk).update(description="Taxi from AB1 2CD")
    mark_paid(tc.receipt_claim, paid_on=datetime.date(2026, 5, 10))
    ClaimEvent.objects.create(
        claim=tc.receipt_claim, by=tc.staff_sam, to_status="paid", note="Checked with Alice Ashby"
    )
    tc.bob_claim = make_claim(tc.bob, amount="15.00")
    mark_paid(tc.bob_claim, paid_on=datetime.date(2026, 5, 10))
    ClaimEvent.objects.create(
        claim=tc.bob_claim, by=tc.staff_sam, to_status="paid", note="Shared taxi with alice ashby"
    )
    ClaimEvent.objects.create(
        claim=tc.bob_claim, by=tc.staff_sam, to_status="paid", note="Bob Brown phoned"
    )
    bank_details_set(
        advisor=alice,
        account_name="Alice Ashby",
        sort_code="12-34-56",
        account_number="12345678",
        by=tc.advisor_alice,
    )
    bank_details_set(
        advisor=tc.bob,
        account_name="Bob Brown",
        sort_code="65-43-21",
        account_number="87654321",
        by=tc.advisor_bob,
    )
    application = ApplicationFactory(
        advisor=alice,
        first_name="Alice",
        last_name="Ashby",
        email="alice@example.org",
        status="accepted",
    )
    ApplicationEvent.objects.create(
        application=application, to_status="accepted", by=tc.staff_sam, note="Alice Ashby is great"
    )
    EmailAddress.objects.create(user=tc.advisor_alice, email="alice@example.org", verified=True)
    consent_record(
        advisor=alice,
        purpose="contact",
        given=True,
        method="phone",
        recorded_by=tc.staff_sam,
        note="Alice Ashby said yes on 07700 900123",
    )
    Delivery.objects.create(
        key=f"test:alice:{alice.pk}",
        kind="meeting_reminder",
        advisor=alice,
        recipient="alice@example.org",
        subject="Reminder for Alice Ashby",
        context={"name": "Alice Ashby"},
    )
    tc.letter = make_report(
        tc.staff_sam,
        kind=ReportRequest.Kind.CERTIFICATE,
        advisor=alice,
        status=ReportRequest.Status.DONE,
        letter_text="Alice Ashby took part",
    )
    LogEntry.objects.create(
        user=tc.staff_sam,
        content_type=ContentType.objects.get_for_model(Advisor),
        object_id=str(alice.pk),
        object_repr="Alice Ashby",
        action_flag=CHANGE,
        change_message="[]",
    )
    tc.advisor_alice.last_name = "Ashby"
    tc.advisor_alice.email = "alice@example.org"
    tc.advisor_alice.save()


def money_figures(tc) -> list:
    year = datetime.date(2026, 4, 6)
    return [
        [(b.name, b.budget, b.committed, b.paid) for b in project_budgets()],
        [(b.name, b.budget, b.committed, b.paid) for b in central_budgets(year_starting=year)],
        tax_year_statement(advisor=Advisor.objects.get(pk=tc.alice.pk), year_start=year)["total"],
        tax_year_statement(
            advisor=Advisor.objects.get(pk=tc.alice.pk), year_start=datetime.date(2025, 4, 6)
        )["total"],
        sorted(Claim.objects.values_list("pk", "amount", "activity_date", "paid_on", "status")),
    ]


class AdvisorEraseTests(BaseTestCase):
    def setUp(self):
        seed_alices_life(self)

    def erase(self):
        with self.captureOnCommitCallbacks(execute=True):
            return advisor_erase(self.alice, by=self.staff_sam)

    def test_nothing_readable_of_alice_is_left_anywhere(self):
        before = [(where, v) for where, v in text_values() if "Ashby" in v]
        self.assertTrue(before, "the seed put Alice's name in the database")
        self.erase()
        for where, value in text_values():
            for secret in ALICE_SECRETS:
                self.assertNotIn(secret.lower(), value.lower(), where)

    def test_alice_becomes_a_pseudonym_and_has_left(self):
        record = self.erase()
        alice = Advisor.objects.get(pk=self.alice.pk)
        self.assertRegex(alice.full_name, r"^Advisor [0-9A-F]{4}$")
        self.assertEqual(record.pseudonym, alice.full_name)
        self.assertEqual(alice.status, Advisor.Status.LEFT)
        self.assertEqual(alice.email, "")
        self.assertFalse(EqualityMonitoring.objects.filter(advisor_id=alice.pk).exists())
        self.assertFalse(BankDetails.objects.filter(advisor_id=alice.pk).exists())

    def test_money_adds_up_to_the_penny_afterwards(self):
        before = money_figures(self)
        self.assertNotEqual(before[2], 0)
        self.erase()
        self.assertEqual(money_figures(self), before)
        self.assertEqual(Claim.objects.filter(advisor=self.alice).count(), 3)

    def test_her_login_no_longer_works(self):
        self.erase()
        user = type(self.advisor_alice).objects.get(pk=self.advisor_alice.pk)
        self.assertFalse(user.is_active)
        self.assertFalse(user.has_usable_password())
        self.assertEqual(user.email, "")
        self.assertTrue(user.username.startswith("erased-advisor-"))
        self.assertFalse(user.groups.exists())
        self.assertFalse(self.client.login(username="alice", password=PASSWORD))
        self.assertFalse(EmailAddress.objects.filter(user=user).exists())

    def test_files_about_her_are_deleted_but_receipts_are_kept(self):
        root = Path(settings.PRIVATE_MEDIA_ROOT)
        certificate = root / self.alice.training.get().certificate.name
        letter = root / self.letter.file.name
        receipt = root / self.receipt_claim.receipt.name
        self.assertTrue(certificate.exists() and letter.exists() and receipt.exists())
        self.erase()
        self.assertFalse(certificate.exists())
        self.assertFalse(letter.exists())
        self.assertTrue(receipt.exists(), "a receipt is a financial record, kept for 6 years")

    def test_her_name_in_other_peoples_claim_notes_becomes_the_pseudonym(self):
        record = self.erase()
        notes = set(ClaimEvent.objects.filter(claim=self.bob_claim).values_list("note", flat=True))
        self.assertEqual(notes, {f"Shared taxi with {record.pseudonym}", "Bob Brown phoned"})

    def test_bobs_data_is_untouched(self):
        bob_before = snapshot(self.bob)
        self.erase()
        bob_after = snapshot(self.bob)
        # The one change: the note that named Alice now names her pseudonym.
        bob_before.pop("payments.ClaimEvent"), bob_after.pop("payments.ClaimEvent")
        self.assertEqual(bob_after, bob_before)
        self.assertTrue(BankDetails.objects.filter(advisor=self.bob).exists())

    def test_erasing_twice_is_harmless(self):
        first = self.erase()
        state = text_values()
        second = self.erase()
        self.assertEqual(second.pk, first.pk)
        self.assertEqual(text_values(), state)
        self.assertEqual(ErasureRecord.objects.count(), 1)

    def test_erasure_waits_for_claims_still_to_be_paid(self):
        make_claim(self.alice, status="approved")
        with self.assertRaisesMessage(ErasureBlocked, "still waiting to be paid"):
            self.erase()
        self.assertEqual(Advisor.objects.get(pk=self.alice.pk).last_name, "Ashby")
        self.assertFalse(ErasureRecord.objects.exists())


class SessionAfterErasureTests(BaseTestCase):
    def test_a_session_from_before_erasure_no_longer_signs_her_in(self):
        self.client.force_login(self.advisor_alice)
        profile = reverse("advisors:profile")
        self.assertEqual(self.client.get(profile).status_code, 200)
        advisor_erase(self.alice, by=self.staff_sam)
        response = self.client.get(profile)
        self.assertEqual(response.status_code, 302)
        self.assertIn(settings.LOGIN_URL, response["Location"])
