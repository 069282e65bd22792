"""Every number typed into a payments form, or the admin's rate card and central budgets,
has a sensible maximum and a plain message; totals never overflow the money columns; and no
one ever reads "Constraint “payments_…” is violated".
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from payments import services
from payments.models import CentralBudget, Claim, PaymentBatch
from rates.models import RateCard
from tests.base import BaseTestCase
from tests.factories import example_rate_card, make_claim

NOW = datetime.datetime(2026, 5, 20, 12, 0, tzinfo=ZoneInfo("Europe/London"))
EXPENSE = reverse("payments:portal-expense")
PREFERENCES = reverse("payments:portal-preferences")
CLAIM_NEW = reverse("payments:claim-new")
RATE_ADD = reverse("admin:rates_ratecard_add")
BUDGET_ADD = reverse("admin:payments_centralbudget_add")


def errors_of(response) -> list[str]:
    """Every error message on an admin change form."""
    form = response.context["adminform"].form
    return [m for messages in form.errors.values() for m in messages]


@time_machine.travel(NOW, tick=False)
class ClaimAmountTest(BaseTestCase):
    def portal_expense(self, amount: str):
        self.client.force_login(self.advisor_alice)
        data = {
            "expense_type": "travel",
            "activity_date": "2026-05-12",
            "amount": amount,
            "description": "Train",
            "meeting": "",
        }
        return self.client.post(EXPENSE, data)

    def test_alice_can_claim_up_to_5000_pounds_at_a_time(self) -> None:
        for amount in ("5000.01", "9999999999.99"):
            with self.subTest(amount=amount):
                response = self.portal_expense(amount)
                self.assertContains(
                    response,
                    "You can claim up to £5,000.00 at a time. For more, please talk to the "
                    "Involvement Coordinator.",
                    status_code=400,
                )
        for amount in ("99999999999999", "1e9"):
            with self.subTest(amount=amount):
                self.assertEqual(self.portal_expense(amount).status_code, 400)
        self.assertFalse(Claim.objects.exists())
        self.assertEqual(self.portal_expense("5000.00").status_code, 302)

    def test_staff_entering_a_claim_have_the_same_maximum(self) -> None:
        self.client.force_login(self.staff_sam)
        data = {
            "kind": "expense",
            "advisor": self.alice.pk,
            "expense_type": "travel",
            "activity_date": "2026-05-01",
            "amount": "12000",
            "description": "Train",
        }
        response = self.client.post(CLAIM_NEW, data)
        self.assertContains(
            response,
            "An expense claim can be up to £5,000.00. Please check the amount.",
            status_code=400,
        )
        self.assertFalse(Claim.objects.exists())

    def test_the_service_refuses_it_too_whoever_calls_it(self) -> None:
        with self.assertRaisesMessage(ValidationError, "can be up to £5,000.00"):
            services.claim_expense_submit(
                advisor=self.alice,
                by=self.staff_sam,
                expense_type="travel",
                activity_date=datetime.date(2026, 5, 1),
                amount=Decimal("5000.01"),
                description="Train",
            )

    def test_staff_hours_are_at_most_24_however_they_are_typed(self) -> None:
        example_rate_card()
        self.client.force_login(self.staff_sam)
        for hours in ("25", "9999", "123456789"):
            with self.subTest(hours=hours):
                data = {
                    "kind": "time",
                    "advisor": self.alice.pk,
                    "activity": "document_review",
                    "activity_date": "2026-05-01",
                    "hours": hours,
                    "description": "Reviewed the leaflet",
                }
                response = self.client.post(CLAIM_NEW, data)
                self.assertContains(response, "Enter no more than 24 hours.", status_code=400)
        self.assertFalse(Claim.objects.exists())


@time_machine.travel(NOW, tick=False)
class AnnualLimitBoundTest(BaseTestCase):
    def test_a_limit_over_100000_pounds_is_refused_plainly(self) -> None:
        self.client.force_login(self.advisor_alice)
        data = {"payment_preference": "bank", "annual_limit": "100000.01"}
        response = self.client.post(PREFERENCES, data)
        self.assertContains(
            response,
            "Enter a limit of no more than £100,000.00, or leave it empty.",
            status_code=400,
        )
        self.alice.refresh_from_db()
        self.assertIsNone(self.alice.annual_limit)
        with self.assertRaisesMessage(ValidationError, "Enter a limit between £0 and £100,000.00"):
            services.payment_preferences_set(
                advisor=self.alice,
                by=self.advisor_alice,
                payment_preference="bank",
                annual_limit=Decimal("1000000"),
            )


class BatchTotalTest(BaseTestCase):
    def test_claims_that_would_overflow_a_batch_total_are_refused_not_a_crash(self) -> None:
        for _ in range(2):
            make_claim(self.alice, status="approved", amount="9999999999.99")
        self.client.force_login(self.staff_sam)
        response = self.client.post(reverse("payments:batches"), {"build": "1"}, follow=True)
        self.assertContains(response, "which is more than one batch can hold")
        self.assertFalse(PaymentBatch.objects.exists())
        self.assertFalse(Claim.objects.filter(batch__isnull=False).exists())


class PaidFileNumbersTest(BaseTestCase):
    def test_a_claim_number_too_big_for_any_claim_is_reported_not_a_crash(self) -> None:
        self.client.force_login(self.finance_fay)
        huge = "9" * 30
        content = f"claim,paid_on\n{huge},2026-05-01\n".encode()
        upload = SimpleUploadedFile("paid.csv", content, content_type="text/csv")
        response = self.client.post(reverse("payments:paid-import"), {"file": upload})
        self.assertContains(response, f"Line 2: there is no claim {huge}.", status_code=400)

    def test_thousands_of_digits_are_not_a_claim_number_and_not_a_crash(self) -> None:
        self.client.force_login(self.finance_fay)
        content = f"claim,paid_on\n{'9' * 5000},2026-05-01\n".encode()
        upload = SimpleUploadedFile("paid.csv", content, content_type="text/csv")
        response = self.client.post(reverse("payments:paid-import"), {"file": upload})
        self.assertContains(response, "is not a number.", status_code=400)


class RateCardBoundsTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)

    def add(self, **fields):
        data = {
            "activity": "meeting",
            "effective_from": "2026-04-01",
            "hourly_rate": "",
            "half_day_amount": "",
            "half_day_from_hours": "",
            "full_day_amount": "",
            "full_day_from_hours": "",
            "label": "",
            **fields,
        }
        return self.client.post(RATE_ADD, data)

    def test_rates_out_of_bounds_are_refused_in_plain_words(self) -> None:
        cases = [
            (
                {"hourly_rate": "500.01"},
                "An hourly rate can be up to £500.00. Please check the amount.",
            ),
            (
                {"half_day_amount": "5000.01", "half_day_from_hours": "3.5"},
                "A half-day amount can be up to £5,000.00. Please check the amount.",
            ),
            (
                {"full_day_amount": "165", "full_day_from_hours": "25"},
                "Enter no more than 24 hours.",
            ),
            ({"hourly_rate": "-1"}, "An hourly rate cannot be less than £0.00."),
            ({}, "Enter an hourly rate, a half-day amount or a full-day amount."),
            ({"half_day_amount": "90"}, "Say from how many hours the half-day amount is paid."),
        ]
        for fields, message in cases:
            with self.subTest(fields=fields):
                response = self.add(**fields)
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, errors_of(response))
        self.assertFalse(RateCard.objects.exists())
        self.assertEqual(self.add(hourly_rate="27.50").status_code, 302)

    def test_a_second_rate_for_the_same_day_is_explained(self) -> None:
        self.add(hourly_rate="27.50")
        response = self.add(hourly_rate="30.00")
        self.assertIn(
            "There is already a rate for this activity from this date: change that row, or "
            "choose another date.",
            errors_of(response),
        )
        self.assertNotContains(response, "Constraint")


class CentralBudgetAdminTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)

    def add(self, amount: str):
        data = {"year_starting": "2026-04-01", "category": "support", "amount": amount}
        return self.client.post(BUDGET_ADD, data)

    def test_central_budgets_have_a_maximum_and_one_per_category_a_year(self) -> None:
        response = self.add("1000000.01")
        self.assertIn(
            "A central budget can be up to £1,000,000.00. Please check the amount.",
            errors_of(response),
        )
        self.assertEqual(self.add("3000.00").status_code, 302)
        response = self.add("10.00")
        self.assertIn(
            "There is already a budget for this category in this year: change that one instead.",
            errors_of(response),
        )
        self.assertEqual(CentralBudget.objects.get().amount, Decimal("3000.00"))


class ConstraintMessagesTest(BaseTestCase):
    def test_every_payments_and_rates_constraint_says_what_is_wrong_in_words(self) -> None:
        for app in ("payments", "rates"):
            for model in apps.get_app_config(app).get_models():
                for constraint in model._meta.constraints:
                    with self.subTest(constraint=constraint.name):
                        message = constraint.get_violation_error_message()
                        self.assertNotIn("Constraint", message)
                        self.assertNotIn(constraint.name, message)
                        self.assertTrue(message.endswith("."))
