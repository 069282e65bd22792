"""Payments in the advisor portal: Alice sees her own claims in words, claims expenses,
logs time at the rate of the day, sets how she is paid, and prints a tax-year statement.

Time is frozen at 20 May 2026 (tax year 6 April 2026 to 5 April 2027), so dates in words
and "we aim to pay by" are exact.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ascru_pie.lib.crypto import decrypt
from ascru_pie.roles import Role
from payments import services
from payments.models import BankDetails, Claim
from projects.models import ProjectAdvisor
from tests.base import BaseTestCase, key_of, make_user
from tests.factories import (
    MeetingFactory,
    ProjectFactory,
    example_rate_card,
    expense_data,
    invite,
    make_claim,
    mark_paid,
)

NOW = datetime.datetime(2026, 5, 20, 12, 0, tzinfo=ZoneInfo("Europe/London"))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n% a receipt\n"

PORTAL = reverse("payments:portal")
EXPENSE = reverse("payments:portal-expense")
TIME = reverse("payments:portal-time")
PREFERENCES = reverse("payments:portal-preferences")


def statement_url(year: int) -> str:
    return reverse("payments:portal-statement", args=[year])


def time_data(**overrides) -> dict:
    data = {
        "activity": "document_review",
        "activity_date": "2026-01-10",
        "hours": "2",
        "description": "Reviewed the draft interview questions",
        "project": "",
    }
    return {**data, **overrides}


@time_machine.travel(NOW, tick=False)
class PortalAccessTest(BaseTestCase):
    """URL x persona: anonymous to login, other roles 403, an advisor 200."""

    def test_every_portal_page_is_for_advisors_only(self) -> None:
        urls = [PORTAL, EXPENSE, TIME, PREFERENCES, statement_url(2026)]
        expected = {
            None: 302,
            Role.ADVISOR: 200,
            Role.PIE_TEAM: 403,
            Role.RESEARCHER: 403,
            Role.MANAGER: 403,
            Role.FINANCE: 403,
        }
        for url in urls:
            for role, status in expected.items():
                with self.subTest(url=url, role=role):
                    self.client.logout()
                    if role is not None:
                        self.client.force_login(self.persona(role))
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, status)
                    if role is None:
                        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_an_advisor_account_without_a_register_record_gets_404(self) -> None:
        dora = make_user("dora", Role.ADVISOR)
        self.client.force_login(dora)
        for url in (PORTAL, EXPENSE, TIME, PREFERENCES, statement_url(2026)):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)


@time_machine.travel(NOW, tick=False)
class ClaimListTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.advisor_alice)

    def test_alice_sees_each_claim_with_its_status_in_words_and_when_we_aim_to_pay(self) -> None:
        make_claim(self.alice, status="submitted", amount="12.50")
        make_claim(self.alice, status="approved", amount="13.00")
        rejected = make_claim(self.alice, status="rejected", amount="14.00")
        Claim.objects.filter(pk=rejected.pk).update(rejection_reason="No ticket for this journey")
        make_claim(self.alice, status="cancelled", amount="15.00")
        paid = make_claim(self.alice, amount="16.00")
        mark_paid(paid, paid_on=datetime.date(2026, 3, 3))
        response = self.client.get(PORTAL)
        self.assertContains(response, "Submitted: waiting for the PIE team to check it")
        self.assertContains(response, "Approved: it will be paid in the next payment run")
        self.assertContains(response, "Rejected: No ticket for this journey")
        self.assertContains(response, "Cancelled")
        self.assertContains(response, "Paid on 3 March 2026")
        self.assertContains(response, "£12.50")
        # make_claim's date is 1 May 2026; the target is 28 days later.
        self.assertContains(response, "We aim to pay by 29 May 2026", count=2)
        self.assertContains(response, "Expenses: travel")

    def test_a_batched_claim_says_it_is_being_paid(self) -> None:
        claim = make_claim(self.alice, status="approved")
        mark_paid(claim)
        Claim.objects.filter(pk=claim.pk).update(status="in_batch", paid_on=None)
        self.assertContains(self.client.get(PORTAL), "In a payment batch: being paid")

    def test_a_reversing_claim_is_shown_as_a_correction_with_a_negative_amount(self) -> None:
        claim = make_claim(self.alice, amount="40.00")
        mark_paid(claim, paid_on=datetime.date(2026, 5, 10))
        services.claim_reverse(claim=claim, by=self.staff_sam, reason="Wrong fare")
        response = self.client.get(PORTAL)
        self.assertContains(response, "Correction")
        self.assertContains(response, "-£40.00")

    def test_alice_sees_only_her_own_claims(self) -> None:
        make_claim(self.alice, amount="11.11")
        make_claim(self.bob, amount="22.22")
        response = self.client.get(PORTAL)
        self.assertContains(response, "£11.11")
        self.assertNotContains(response, "£22.22")

    # Her claims here are expenses: they count towards her limit when the setting says so.
    @override_settings(ANNUAL_LIMIT_COUNTS="all")
    def test_the_tax_year_total_and_what_is_left_of_her_limit(self) -> None:
        self.alice.annual_limit = Decimal("100.00")
        self.alice.save()
        make_claim(self.alice, amount="60.00")
        make_claim(self.alice, status="rejected", amount="500.00")  # does not count
        # Last tax year's claims do not count either.
        Claim.objects.create(
            advisor=self.alice,
            kind="expense",
            expense_type="travel",
            description="Old",
            activity_date=datetime.date(2026, 4, 5),
            amount=Decimal("30.00"),
        )
        response = self.client.get(PORTAL)
        self.assertContains(response, "The tax year runs from 6 April 2026 to 5 April 2027.")
        self.assertContains(
            response, "Your claims so far come to <strong>£60.00</strong>", html=False
        )
        self.assertContains(response, "You have <strong>£40.00</strong> left")

    # Her claims here are expenses: they count towards her limit when the setting says so.
    @override_settings(ANNUAL_LIMIT_COUNTS="all")
    def test_over_the_limit_says_by_how_much(self) -> None:
        self.alice.annual_limit = Decimal("50.00")
        self.alice.save()
        make_claim(self.alice, amount="60.00")
        self.assertContains(self.client.get(PORTAL), "Your claims are £10.00 over it.")

    def test_links_to_claiming_preferences_and_statements(self) -> None:
        response = self.client.get(PORTAL)
        for url in (EXPENSE, TIME, PREFERENCES, statement_url(2026), statement_url(2025)):
            with self.subTest(url=url):
                self.assertContains(response, f'href="{url}"')

    def test_the_number_of_queries_does_not_grow_with_claims(self) -> None:
        for _ in range(2):
            make_claim(self.alice)
        with CaptureQueriesContext(connection) as small:
            self.client.get(PORTAL)
        for _ in range(8):
            make_claim(self.alice)
        # session, user, the user's groups (role check), advisor, the pager's count, a page
        # of claims, tax-year total
        with self.assertNumQueries(7):
            response = self.client.get(PORTAL)
        self.assertEqual(len(small.captured_queries), 7)
        self.assertEqual(len(response.context["claims"]), 10)


@time_machine.travel(NOW, tick=False)
class ExpenseNewTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.advisor_alice)

    def test_an_expense_with_a_png_receipt_becomes_a_submitted_claim(self) -> None:
        receipt = SimpleUploadedFile("ticket.png", PNG, content_type="image/png")
        response = self.client.post(EXPENSE, expense_data(receipt=receipt), follow=True)
        self.assertRedirects(response, PORTAL)
        claim = Claim.objects.get()
        self.assertEqual(
            (claim.advisor, claim.kind, claim.status, claim.amount, claim.created_by),
            (self.alice, "expense", "submitted", Decimal("23.40"), self.advisor_alice),
        )
        self.assertTrue(claim.receipt.name.endswith(".png"))
        with claim.receipt.open("rb") as handle:
            self.assertEqual(handle.read(), PNG)
        self.assertContains(response, "We have your claim for £23.40")
        self.assertContains(response, "We aim to pay by 9 June 2026")

    def test_an_expense_without_a_receipt_is_accepted(self) -> None:
        self.client.post(EXPENSE, expense_data())
        self.assertEqual(Claim.objects.get().receipt.name, "")

    def test_an_expense_can_be_for_a_meeting_she_was_invited_to_but_no_other(self) -> None:
        hers, other = MeetingFactory(), MeetingFactory()
        invite(hers, self.alice)
        invite(other, self.bob)
        form = self.client.get(EXPENSE).context["form"]
        self.assertEqual(list(form.fields["meeting"].queryset), [hers])

        response = self.client.post(EXPENSE, expense_data(meeting=other.pk))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Choose one of your meetings from the list.", status_code=400)
        self.client.post(EXPENSE, expense_data(meeting=hers.pk))
        self.assertEqual(Claim.objects.get().meeting, hers)

    def test_a_future_date_is_refused_and_nothing_is_saved(self) -> None:
        response = self.client.post(EXPENSE, expense_data(activity_date="2026-05-21"))
        self.assertContains(response, "cannot be in the future", status_code=400)
        self.assertFalse(Claim.objects.exists())

    def test_an_amount_of_nothing_is_refused(self) -> None:
        for amount in ("0", "-5", "abc"):
            with self.subTest(amount=amount):
                response = self.client.post(EXPENSE, expense_data(amount=amount))
                self.assertEqual(response.status_code, 400)
                self.assertTrue(response.context["form"].errors["amount"])
        self.assertFalse(Claim.objects.exists())

    def test_missing_answers_are_listed_in_an_error_summary(self) -> None:
        response = self.client.post(EXPENSE, {})
        self.assertContains(response, "There is a problem", status_code=400)
        self.assertContains(response, "Choose what kind of expense it is.", status_code=400)
        self.assertContains(response, "<title>Error: Claim expenses", status_code=400)

    # Her claims here are expenses: they count towards her limit when the setting says so.
    @override_settings(ANNUAL_LIMIT_COUNTS="all")
    def test_going_over_her_limit_asks_first_and_saves_only_when_she_says_so(self) -> None:
        self.alice.annual_limit = Decimal("20.00")
        self.alice.save()
        response = self.client.post(EXPENSE, expense_data())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "over your limit of £20.00")
        self.assertContains(response, "Submit anyway")
        self.assertFalse(Claim.objects.exists())

        response = self.client.post(EXPENSE, expense_data(confirm_over_limit="1"))
        self.assertRedirects(response, PORTAL)
        self.assertEqual(Claim.objects.get().amount, Decimal("23.40"))

    # Her claims here are expenses: they count towards her limit when the setting says so.
    @override_settings(ANNUAL_LIMIT_COUNTS="all")
    def test_after_the_limit_warning_her_receipt_is_kept_for_her(self) -> None:
        self.alice.annual_limit = Decimal("20.00")
        self.alice.save()
        key = key_of(self.client.get(EXPENSE))
        receipt = SimpleUploadedFile("ticket.pdf", PDF, content_type="application/pdf")
        response = self.client.post(EXPENSE, expense_data(receipt=receipt, submission_key=key))
        self.assertContains(response, "Submit anyway")
        self.assertContains(response, "Your receipt “ticket.pdf” is kept.")
        # "Check it again" keeps it too.
        response = self.client.post(EXPENSE, expense_data(submission_key=key))
        self.assertContains(response, "Your receipt “ticket.pdf” is kept.")
        self.assertFalse(Claim.objects.exists())

        response = self.client.post(
            EXPENSE, expense_data(confirm_over_limit="1", submission_key=key)
        )
        self.assertRedirects(response, PORTAL)
        claim = Claim.objects.get()
        self.assertTrue(claim.receipt.name.endswith(".pdf"))
        with claim.receipt.open("rb") as f:
            self.assertEqual(f.read(), PDF)
        # The kept copy is gone once the claim has its own.
        self.assertEqual(self.client.session.get("pending_receipts"), {})

    @override_settings(ANNUAL_LIMIT_COUNTS="all")
    def test_a_receipt_is_kept_only_for_the_session_that_chose_it(self) -> None:
        self.alice.annual_limit = Decimal("20.00")
        self.alice.save()
        key = key_of(self.client.get(EXPENSE))
        receipt = SimpleUploadedFile("ticket.pdf", PDF, content_type="application/pdf")
        self.client.post(EXPENSE, expense_data(receipt=receipt, submission_key=key))
        other = self.client_class()
        other.force_login(self.advisor_alice)
        response = other.post(EXPENSE, expense_data(confirm_over_limit="1", submission_key=key))
        self.assertRedirects(response, PORTAL)
        self.assertFalse(Claim.objects.get().receipt)

    def test_a_receipt_is_kept_when_another_answer_needs_fixing(self) -> None:
        key = key_of(self.client.get(EXPENSE))
        receipt = SimpleUploadedFile("ticket.pdf", PDF, content_type="application/pdf")
        response = self.client.post(
            EXPENSE, expense_data(receipt=receipt, amount="abc", submission_key=key)
        )
        self.assertContains(response, "Your receipt “ticket.pdf” is kept.", status_code=400)
        self.client.post(EXPENSE, expense_data(amount="£12.40", submission_key=key))
        claim = Claim.objects.get()
        self.assertEqual(claim.amount, Decimal("12.40"))
        self.assertTrue(claim.receipt)


@time_machine.travel(NOW, tick=False)
class TimeNewTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        example_rate_card()
        self.client.force_login(self.advisor_alice)

    def test_two_hours_of_document_review_are_paid_at_the_rate_of_the_day(self) -> None:
        response = self.client.post(TIME, time_data(), follow=True)
        self.assertRedirects(response, PORTAL)
        claim = Claim.objects.get()
        self.assertEqual(
            (claim.kind, claim.activity, claim.hours, claim.amount, claim.status),
            ("time", "document_review", Decimal("2.00"), Decimal("55.00"), "submitted"),
        )
        self.assertContains(
            response, "We have logged 2 hours of document review on 10 January 2026"
        )
        self.assertContains(response, "This comes to £55.00")

    def test_the_rate_before_the_rise_applies_to_earlier_days(self) -> None:
        self.client.post(TIME, time_data(activity_date="2025-12-15"))
        self.assertEqual(Claim.objects.get().amount, Decimal("50.00"))

    def test_meetings_are_not_logged_here(self) -> None:
        form = self.client.get(TIME).context["form"]
        self.assertNotIn("meeting", dict(form.fields["activity"].choices))
        response = self.client.post(TIME, time_data(activity="meeting"))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Claim.objects.exists())

    def test_a_project_must_be_one_she_is_assigned_to(self) -> None:
        hers, other = ProjectFactory(), ProjectFactory()
        ProjectAdvisor.objects.create(project=hers, advisor=self.alice, role="Co-applicant")
        ProjectAdvisor.objects.create(project=other, advisor=self.bob, role="Advisor")
        response = self.client.post(TIME, time_data(project=other.pk))
        self.assertContains(response, "Choose one of your projects from the list.", status_code=400)
        self.client.post(TIME, time_data(project=hers.pk))
        self.assertEqual(Claim.objects.get().project, hers)

    # The rate card starts in April 2025: a day before it is more than 12 months ago.
    @override_settings(CLAIM_MAX_AGE_MONTHS=24)
    def test_a_day_without_a_rate_is_explained_plainly_and_nothing_is_saved(self) -> None:
        response = self.client.post(TIME, time_data(activity_date="2025-01-10"))
        self.assertContains(
            response, "We cannot work out the payment for this date yet.", status_code=400
        )
        self.assertNotContains(response, "rate card", status_code=400)
        self.assertFalse(Claim.objects.exists())

    def test_hours_must_be_sensible(self) -> None:
        for hours in ("0", "25", "two"):
            with self.subTest(hours=hours):
                response = self.client.post(TIME, time_data(hours=hours))
                self.assertEqual(response.status_code, 400)
        self.assertFalse(Claim.objects.exists())

    def test_going_over_her_limit_asks_first(self) -> None:
        self.alice.annual_limit = Decimal("50.00")
        self.alice.save()
        response = self.client.post(TIME, time_data())
        self.assertContains(response, "to £55.00, over your limit of £50.00")
        self.assertFalse(Claim.objects.exists())
        self.client.post(TIME, time_data(confirm_over_limit="1"))
        self.assertEqual(Claim.objects.get().amount, Decimal("55.00"))

    def test_an_advisor_who_does_not_want_to_be_paid_is_told_so_instead_of_a_form(self) -> None:
        self.alice.payment_preference = "decline"
        self.alice.save()
        response = self.client.get(TIME)
        self.assertContains(response, "You have told us you do not want to be paid for your time")
        self.assertNotContains(response, "Log my time")
        self.client.post(TIME, time_data())
        self.assertFalse(Claim.objects.exists())


@time_machine.travel(NOW, tick=False)
class PreferencesTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.advisor_alice)

    def post(self, **overrides):
        data = {
            "payment_preference": "bank",
            "annual_limit": "",
            "account_name": "",
            "sort_code": "",
            "account_number": "",
        }
        return self.client.post(PREFERENCES, {**data, **overrides})

    def test_she_chooses_vouchers_and_a_limit(self) -> None:
        response = self.post(payment_preference="voucher", annual_limit="1000")
        self.assertRedirects(response, PREFERENCES)
        self.alice.refresh_from_db()
        self.assertEqual(
            (self.alice.payment_preference, self.alice.annual_limit),
            ("voucher", Decimal("1000.00")),
        )
        self.assertFalse(BankDetails.objects.exists())

    def test_the_page_explains_that_not_being_paid_still_counts(self) -> None:
        response = self.client.get(PREFERENCES)
        self.assertContains(response, "I do not want to be paid for my time")
        self.assertContains(response, "Your involvement still counts")
        self.assertContains(response, "benefits")

    def test_bank_details_are_stored_encrypted_and_shown_only_as_the_last_four_digits(self) -> None:
        response = self.post(
            account_name="A Ashby", sort_code="40-11-62", account_number="31926819"
        )
        self.assertRedirects(response, PREFERENCES)
        row = BankDetails.objects.values().get(advisor=self.alice)
        self.assertNotIn("401162", row["sort_code_encrypted"])
        self.assertNotIn("31926819", row["account_number_encrypted"])
        self.assertEqual(decrypt(row["account_number_encrypted"]), "31926819")
        self.assertEqual(decrypt(row["sort_code_encrypted"]), "401162")

        response = self.client.get(PREFERENCES)
        self.assertContains(response, "Account ending 6819 (A Ashby)")
        self.assertContains(response, "Leave these boxes empty to keep your current details.")
        for secret in ("31926819", "401162", "40-11-62", "3192"):
            self.assertNotContains(response, secret)

    def test_empty_bank_boxes_keep_the_details_she_has(self) -> None:
        services.bank_details_set(
            advisor=self.alice,
            account_name="A Ashby",
            sort_code="123456",
            account_number="12345678",
        )
        self.post(payment_preference="voucher")
        self.assertEqual(BankDetails.objects.get(advisor=self.alice).account_number_last4, "5678")

    def test_half_filled_bank_details_are_refused_without_showing_the_numbers_back(self) -> None:
        response = self.post(
            payment_preference="voucher", sort_code="40-11-62", account_number="87654321"
        )
        self.assertContains(response, "Enter the name on the account", status_code=400)
        self.assertNotContains(response, "87654321", status_code=400)
        self.assertNotContains(response, "40-11-62", status_code=400)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.payment_preference, "bank")
        self.assertFalse(BankDetails.objects.exists())

    def test_wrong_length_numbers_are_refused(self) -> None:
        response = self.post(account_name="A Ashby", sort_code="12345", account_number="1234567")
        self.assertContains(response, "Enter a sort code of 6 numbers", status_code=400)
        self.assertContains(response, "Enter an account number of 8 numbers.", status_code=400)
        self.assertFalse(BankDetails.objects.exists())

    def test_bob_never_sees_alices_details(self) -> None:
        services.bank_details_set(
            advisor=self.alice,
            account_name="A Ashby",
            sort_code="123456",
            account_number="12345678",
        )
        self.client.force_login(self.advisor_bob)
        response = self.client.get(PREFERENCES)
        self.assertNotContains(response, "5678")
        self.assertContains(response, "We do not have your bank details yet.")


@time_machine.travel(NOW, tick=False)
class StatementTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.advisor_alice)

    def paid(self, advisor, amount: str, paid_on: datetime.date, **fields) -> Claim:
        claim = Claim.objects.create(
            advisor=advisor,
            kind=fields.pop("kind", "expense"),
            description=fields.pop("description", "Train"),
            activity_date=paid_on - datetime.timedelta(days=10),
            amount=Decimal(amount),
            expense_type=fields.pop("expense_type", "travel"),
            **fields,
        )
        mark_paid(claim, paid_on=paid_on)
        return claim

    def test_a_payment_on_5_april_and_one_on_6_april_fall_in_different_tax_years(self) -> None:
        self.paid(self.alice, "10.00", datetime.date(2026, 4, 5), description="Last year's train")
        self.paid(self.alice, "20.00", datetime.date(2026, 4, 6), description="This year's train")
        earlier = self.client.get(statement_url(2025))
        self.assertContains(earlier, "Last year&#x27;s train")
        self.assertNotContains(earlier, "This year&#x27;s train")
        self.assertEqual(earlier.context["total"], Decimal("10.00"))
        self.assertContains(earlier, "Total paid: <strong>£10.00</strong>", html=False)
        later = self.client.get(statement_url(2026))
        self.assertContains(later, "This year&#x27;s train")
        self.assertNotContains(later, "Last year&#x27;s train")
        self.assertEqual(later.context["total"], Decimal("20.00"))
        self.assertContains(later, "6 April 2026 to 5 April 2027")
        self.assertContains(later, "A tax year runs from 6 April one year to 5 April the next.")

    def test_totals_by_month_and_by_type(self) -> None:
        self.paid(self.alice, "10.00", datetime.date(2026, 4, 6))
        self.paid(self.alice, "5.50", datetime.date(2026, 4, 30), expense_type="subsistence")
        self.paid(
            self.alice,
            "55.00",
            datetime.date(2026, 5, 2),
            kind="time",
            expense_type="",
            activity="document_review",
        )
        self.paid(self.bob, "99.00", datetime.date(2026, 5, 2))  # not Alice's
        make_claim(self.alice, status="approved", amount="7.00")  # not paid yet
        response = self.client.get(statement_url(2026))
        self.assertEqual(
            response.context["by_month"],
            [
                (datetime.date(2026, 4, 1), Decimal("15.50")),
                (datetime.date(2026, 5, 1), Decimal("55.00")),
            ],
        )
        self.assertEqual(
            response.context["by_type"],
            [
                ("Expenses: food and drink (subsistence)", Decimal("5.50")),
                ("Expenses: travel", Decimal("10.00")),
                ("Time", Decimal("55.00")),
            ],
        )
        self.assertEqual(response.context["total"], Decimal("70.50"))
        self.assertContains(response, '<td class="text-end fw-bold">£70.50</td>')
        self.assertContains(response, '<td class="text-end">£15.50</td>')
        self.assertEqual(len(response.context["claims"]), 3)
        self.assertContains(response, "April 2026")
        self.assertContains(response, "Print this statement")

    def test_years_outside_the_range_are_404(self) -> None:
        for year in (1999, 2028):
            with self.subTest(year=year):
                self.assertEqual(self.client.get(statement_url(year)).status_code, 404)

    def test_an_empty_year_says_so(self) -> None:
        self.assertContains(
            self.client.get(statement_url(2024)), "We did not pay you anything in this tax year."
        )


class MeetingLabelTest(BaseTestCase):
    def test_meetings_are_named_with_their_local_date(self) -> None:
        from payments.forms_portal import ExpenseForm

        meeting = MeetingFactory(
            title="Summer PIEG",
            starts_at=datetime.datetime(2026, 6, 3, 23, 30, tzinfo=datetime.UTC),
            ends_at=datetime.datetime(2026, 6, 4, 1, 0, tzinfo=datetime.UTC),
        )
        invite(meeting, self.alice)
        form = ExpenseForm(advisor=self.alice)
        # 11:30pm UTC on 3 June is 12:30am on 4 June in London (summer time).
        self.assertIn(
            "Summer PIEG (4 June 2026)", [label for _, label in form.fields["meeting"].choices]
        )
