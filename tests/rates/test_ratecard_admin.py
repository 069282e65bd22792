"""The rate card in the admin is readable (issue 15: the guidance column was one letter wide):
plain headings, amounts in pounds, dates in words, and column widths from a stylesheet."""

from django.urls import reverse

from rates.models import RateCard
from tests.base import BaseTestCase
from tests.factories import example_rate_card


class RateCardAdminTest(BaseTestCase):
    url = reverse("admin:rates_ratecard_changelist")

    def setUp(self) -> None:
        super().setUp()
        example_rate_card()
        RateCard.objects.filter(activity="meeting").update(label="NIHR payment guidance 2025")

    def test_the_list_has_plain_headings_and_amounts(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        for heading in (
            "Activity",
            "In force from",
            "Per hour",
            "Half day",
            "Full day",
            "Guidance it follows",
        ):
            self.assertContains(response, heading)
        for words in (
            "Meeting attendance",
            "1 April 2025",
            "16 December 2025",
            "£27.50",
            "£90.00 for 3.5 hours or more",
            "£181.50 for 6 hours or more",
            "NIHR payment guidance 2025",
            "Not noted",
        ):
            self.assertContains(response, words)
        # Field names are not shown as headings.
        for name in ("hourly_rate", "half_day_amount", "effective_from<"):
            self.assertNotContains(response, f">{name}")
        self.assertContains(response, "css/admin-rates.css")
        self.assertContains(response, "column-guidance")

    def test_who_may_open_the_rate_card(self) -> None:
        for user, status in (
            (self.staff_sam, 200),
            (self.advisor_alice, 302),
            (self.researcher_rita, 302),
        ):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, status)
