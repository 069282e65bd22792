"""Amounts as people type them: "£12.40", "12.40", "£1,234.50", spaces; refused with plain
messages: "-5", "£1e9", "abc". On the advisor's expense form and the staff claim form."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse

from ascru_pie.lib.forms import MoneyField
from payments.models import Claim
from tests.base import BaseTestCase
from tests.factories import expense_data

EXPENSE = reverse("payments:portal-expense")
STAFF_NEW = reverse("payments:claim-new")


class MoneyFieldTests(BaseTestCase):
    def test_pounds_as_people_type_them(self) -> None:
        field = MoneyField(min_value=Decimal("0.01"))
        for typed, amount in [
            ("£12.40", "12.40"),
            ("12.40", "12.40"),
            ("£1,234.50", "1234.50"),
            (" £ 12.40 ", "12.40"),
            ("12", "12"),
            ("1 234.50", "1234.50"),
        ]:
            with self.subTest(typed=typed):
                self.assertEqual(field.clean(typed), Decimal(amount))

    def test_no_exponents_or_stray_commas(self) -> None:
        field = MoneyField()
        for typed in ("£1e9", "1E3", "abc", "12,40", "£", "12.40£x", "--5"):
            with self.subTest(typed=typed):
                with self.assertRaises(ValidationError):
                    field.clean(typed)


class PortalAmountTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.advisor_alice)

    def test_alice_can_type_a_pound_sign(self) -> None:
        response = self.client.post(EXPENSE, expense_data(amount="£12.40"))
        self.assertRedirects(response, reverse("payments:portal"))
        self.assertEqual(Claim.objects.get().amount, Decimal("12.40"))

    def test_thousands_commas_are_fine_up_to_the_limit(self) -> None:
        response = self.client.post(EXPENSE, expense_data(amount="£1,234.50"))
        self.assertRedirects(response, reverse("payments:portal"))
        self.assertEqual(Claim.objects.get().amount, Decimal("1234.50"))

    def test_wrong_amounts_are_refused_in_plain_words(self) -> None:
        for typed, message in [
            ("-5", "Enter an amount of more than £0.00."),
            ("£1e9", "Enter the amount as a number, for example 12.50."),
            ("abc", "Enter the amount as a number, for example 12.50."),
        ]:
            with self.subTest(typed=typed):
                response = self.client.post(EXPENSE, expense_data(amount=typed))
                self.assertContains(response, message, status_code=400)
        self.assertFalse(Claim.objects.exists())

    def test_the_amount_box_is_a_text_box_so_the_pound_sign_can_be_typed(self) -> None:
        response = self.client.get(EXPENSE)
        self.assertContains(response, 'inputmode="decimal"')
        self.assertNotContains(response, 'type="number" name="amount"')


class StaffAmountTests(BaseTestCase):
    def expense(self, amount: str) -> dict:
        return {
            "kind": "expense",
            "advisor": self.alice.pk,
            "expense_type": "travel",
            "activity_date": "2026-05-01",
            "amount": amount,
            "description": "Train to Canterbury",
        }

    def test_sam_can_type_a_pound_sign(self) -> None:
        self.client.force_login(self.staff_sam)
        self.client.post(STAFF_NEW, self.expense("£12.40"))
        self.assertEqual(Claim.objects.get().amount, Decimal("12.40"))

    def test_wrong_amounts_are_refused_in_plain_words(self) -> None:
        self.client.force_login(self.finance_fay)
        for typed, message in [
            ("-5", "Enter an amount of more than £0.00."),
            ("£1e9", "Enter the amount in pounds and pence, like 12.50."),
            ("abc", "Enter the amount in pounds and pence, like 12.50."),
        ]:
            with self.subTest(typed=typed):
                response = self.client.post(STAFF_NEW, self.expense(typed))
                self.assertContains(response, message, status_code=400)
        self.assertFalse(Claim.objects.exists())

    def test_the_advisor_field_offers_advisors_taking_part_only(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.get(STAFF_NEW)
        choices = [str(a) for a in response.context["form"].fields["advisor"].queryset]
        self.assertEqual(choices, ["Alice Ashby", "Bob Brown"])
        # Staff accounts are not advisors and never appear.
        self.assertNotContains(response, ">Sam<")
