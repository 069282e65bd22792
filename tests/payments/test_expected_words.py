"""When we aim to pay a claim, said once by the model (Claim.expected_words) and shown as it
is on the advisor's payments page and home page: a date while it is still ahead, and plain
words once it has passed and the claim is still not paid.

Time is frozen at 20 May 2026; PAYMENT_TARGET_DAYS is 28, so a claim for 22 April 2026 is
due today and one for 21 April 2026 was due yesterday.
"""

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from payments.models import LATE_PAYMENT_WORDS, Claim
from tests.base import BaseTestCase
from tests.factories import make_claim, mark_paid

NOW = datetime.datetime(2026, 5, 20, 12, 0, tzinfo=ZoneInfo("Europe/London"))
PORTAL = reverse("payments:portal")
HOME = reverse("portal-home")
LATE = "This is later than we aim to pay, and we are sorting it out"


def claim_for(advisor, activity_date: datetime.date, status: str = "submitted") -> Claim:
    claim = make_claim(advisor, status=status)
    Claim.objects.filter(pk=claim.pk).update(activity_date=activity_date)
    claim.refresh_from_db()
    return claim


@time_machine.travel(NOW, tick=False)
class ExpectedWordsTest(BaseTestCase):
    def test_a_date_still_ahead_is_said_as_a_date(self) -> None:
        claim = claim_for(self.alice, datetime.date(2026, 5, 1))
        self.assertEqual(claim.expected_words, "We aim to pay by 29 May 2026")

    def test_due_today_has_not_passed_yet(self) -> None:
        claim = claim_for(self.alice, datetime.date(2026, 4, 22), status="approved")
        self.assertEqual(claim.expected_words, "We aim to pay by 20 May 2026")

    def test_due_yesterday_and_not_paid_says_we_are_sorting_it_out(self) -> None:
        for status in ("submitted", "approved"):
            with self.subTest(status=status):
                claim = claim_for(self.alice, datetime.date(2026, 4, 21), status=status)
                self.assertEqual(claim.expected_words, LATE)
                self.assertEqual(LATE_PAYMENT_WORDS, LATE)

    def test_paid_rejected_cancelled_and_corrections_say_nothing_about_when(self) -> None:
        paid = claim_for(self.alice, datetime.date(2026, 1, 5))
        mark_paid(paid, paid_on=datetime.date(2026, 3, 3))
        paid.refresh_from_db()
        self.assertEqual(paid.expected_words, "")
        for status in ("rejected", "cancelled"):
            with self.subTest(status=status):
                claim = claim_for(self.alice, datetime.date(2026, 1, 5), status=status)
                self.assertEqual(claim.expected_words, "")

    def test_alice_reads_the_same_words_on_her_payments_page_and_her_home(self) -> None:
        claim_for(self.alice, datetime.date(2026, 1, 5))
        claim_for(self.alice, datetime.date(2026, 5, 1))
        self.client.force_login(self.advisor_alice)
        for url in (PORTAL, HOME):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, LATE, count=1)
                self.assertContains(response, "We aim to pay by 29 May 2026", count=1)
                self.assertNotContains(response, "We aim to pay by 2 February 2026")
                self.assertNotContains(response, "2026-02-02")
