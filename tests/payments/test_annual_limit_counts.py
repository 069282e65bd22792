"""What counts towards an advisor's own annual limit is a setting (ANNUAL_LIMIT_COUNTS):
by default the payments for their time only, not money paid back for expenses. The portal
says which, and the warning is worded to whoever reads it: "your limit" to the advisor,
the advisor's name and "their limit" to the PIE team.

Time is frozen at 20 May 2026 (tax year 6 April 2026 to 5 April 2027). Document review pays
£27.50 an hour on the example rate card.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.test import override_settings
from django.urls import reverse

from payments.models import Claim
from tests.base import BaseTestCase
from tests.factories import example_rate_card, expense_data, make_claim

NOW = datetime.datetime(2026, 5, 20, 12, 0, tzinfo=ZoneInfo("Europe/London"))
PORTAL = reverse("payments:portal")
EXPENSE = reverse("payments:portal-expense")
TIME = reverse("payments:portal-time")
PREFERENCES = reverse("payments:portal-preferences")

ONLY_TIME = (
    "Only payments for your time count towards your limit. Money we pay back for expenses, "
    "such as travel, does not count."
)
EVERYTHING = (
    "Everything we pay you counts towards your limit: payments for your time and money we "
    "pay back for expenses."
)


def time_claim(advisor, amount: str) -> Claim:
    claim = make_claim(advisor, amount=amount)
    Claim.objects.filter(pk=claim.pk).update(kind="time", expense_type="", activity="other")
    return claim


def review(hours: str = "2") -> dict:
    return {
        "activity": "document_review",
        "activity_date": "2026-05-10",
        "hours": hours,
        "description": "Read the draft survey",
        "project": "",
    }


@time_machine.travel(NOW, tick=False)
class TimeOnlyByDefaultTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        example_rate_card()
        self.alice.annual_limit = Decimal("50.00")
        self.alice.save()
        self.client.force_login(self.advisor_alice)

    def test_an_expense_over_her_limit_is_not_a_warning_because_expenses_do_not_count(
        self,
    ) -> None:
        time_claim(self.alice, "40.00")
        response = self.client.post(EXPENSE, expense_data(amount="23.40"), follow=True)
        self.assertRedirects(response, PORTAL)
        self.assertNotContains(response, "over your limit")
        self.assertEqual(Claim.objects.filter(kind="expense").count(), 1)

    def test_time_over_her_limit_asks_first_in_words_for_her(self) -> None:
        make_claim(self.alice, amount="500.00")  # an expense: does not count
        response = self.client.post(TIME, review("2"))  # £55.00
        self.assertContains(
            response,
            "This would take the payments for your time in the tax year 6 April 2026 to "
            "5 April 2027 to £55.00, over your limit of £50.00.",
        )
        self.assertContains(response, ONLY_TIME)
        self.assertNotContains(response, "Alice Ashby")
        self.assertNotContains(response, "set for")
        self.assertFalse(Claim.objects.filter(kind="time").exists())

    def test_her_payments_page_says_what_counts_and_what_is_left(self) -> None:
        time_claim(self.alice, "30.00")
        make_claim(self.alice, amount="100.00")  # an expense
        response = self.client.get(PORTAL)
        self.assertContains(response, "Your claims so far come to <strong>£130.00</strong>")
        self.assertContains(response, ONLY_TIME)
        self.assertContains(response, "Your claims for your time come to <strong>£30.00</strong>")
        self.assertContains(response, "You have <strong>£20.00</strong> left")

    def test_the_preferences_page_says_what_counts(self) -> None:
        self.assertContains(self.client.get(PREFERENCES), ONLY_TIME)

    def test_the_pie_team_reads_her_name_and_their_limit(self) -> None:
        claim = time_claim(self.alice, "60.00")
        self.client.force_login(self.staff_sam)
        wording = (
            "This would take the payments for Alice Ashby’s time in the tax year 6 April 2026 "
            "to 5 April 2027 to £60.00, over their limit of £50.00."
        )
        self.assertContains(self.client.get(reverse("payments:claims")), wording)
        self.assertContains(self.client.get(reverse("payments:claim", args=[claim.pk])), wording)

    def test_staff_entering_her_time_see_the_warning_for_staff(self) -> None:
        self.client.force_login(self.staff_sam)
        data = {"kind": "time", "advisor": self.alice.pk, **review("2")}
        response = self.client.post(reverse("payments:claim-new"), data, follow=True)
        self.assertContains(response, "the payments for Alice Ashby’s time")
        self.assertContains(response, "over their limit of £50.00")


@time_machine.travel(NOW, tick=False)
@override_settings(ANNUAL_LIMIT_COUNTS="all")
class EverythingCountsTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.alice.annual_limit = Decimal("20.00")
        self.alice.save()
        self.client.force_login(self.advisor_alice)

    def test_an_expense_over_her_limit_asks_first(self) -> None:
        response = self.client.post(EXPENSE, expense_data(amount="23.40"))
        self.assertContains(
            response,
            "This would take your payments and expenses in the tax year 6 April 2026 to "
            "5 April 2027 to £23.40, over your limit of £20.00.",
        )
        self.assertContains(response, EVERYTHING)
        self.assertFalse(Claim.objects.exists())

    def test_her_payments_page_says_everything_counts(self) -> None:
        make_claim(self.alice, amount="5.00")
        response = self.client.get(PORTAL)
        self.assertContains(response, EVERYTHING)
        self.assertContains(response, "You have <strong>£15.00</strong> left")
        self.assertNotContains(response, "Your claims for your time")
