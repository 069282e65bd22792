"""Claim dates are plausible: never in the future, not more than CLAIM_MAX_AGE_MONTHS (12)
ago unless the PIE team says why (kept in the claim's history), and an expense for a meeting
carries the meeting's date.

Time is frozen at 20 May 2026, so 12 months ago is 20 May 2025.
"""

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.test import override_settings
from django.urls import reverse

from payments.models import Claim
from tests.base import BaseTestCase
from tests.factories import MeetingFactory, example_rate_card, expense_data, invite

NOW = datetime.datetime(2026, 5, 20, 12, 0, tzinfo=ZoneInfo("Europe/London"))
EXPENSE = reverse("payments:portal-expense")
TIME = reverse("payments:portal-time")
CLAIM_NEW = reverse("payments:claim-new")

ADVISOR_TOO_OLD = (
    "That date is more than 12 months ago, so it cannot be claimed here. Please contact the "
    "Involvement Coordinator, who can look at it with you."
)


def staff_expense(advisor, **overrides) -> dict:
    return {
        "kind": "expense",
        "advisor": advisor.pk,
        "expense_type": "travel",
        "activity_date": "2024-11-03",
        "amount": "23.40",
        "description": "Train, from a paper form found in a drawer",
        **overrides,
    }


@time_machine.travel(NOW, tick=False)
class AdvisorDatesTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        example_rate_card()
        self.client.force_login(self.advisor_alice)

    def test_an_expense_from_more_than_12_months_ago_is_refused_plainly(self) -> None:
        response = self.client.post(EXPENSE, expense_data(activity_date="2025-05-19"))
        self.assertContains(response, ADVISOR_TOO_OLD, status_code=400)
        self.assertFalse(Claim.objects.exists())

    def test_an_expense_from_exactly_12_months_ago_is_accepted(self) -> None:
        response = self.client.post(EXPENSE, expense_data(activity_date="2025-05-20"))
        self.assertRedirects(response, reverse("payments:portal"))
        self.assertEqual(Claim.objects.get().activity_date, datetime.date(2025, 5, 20))

    def test_time_from_more_than_12_months_ago_is_refused_too(self) -> None:
        data = {
            "activity": "document_review",
            "activity_date": "2025-04-30",
            "hours": "2",
            "description": "Read the protocol",
            "project": "",
        }
        self.assertContains(self.client.post(TIME, data), ADVISOR_TOO_OLD, status_code=400)
        self.assertFalse(Claim.objects.exists())

    @override_settings(CLAIM_MAX_AGE_MONTHS=3)
    def test_the_limit_is_a_setting(self) -> None:
        response = self.client.post(EXPENSE, expense_data(activity_date="2026-02-19"))
        self.assertContains(response, "more than 3 months ago", status_code=400)

    def test_a_future_date_is_refused(self) -> None:
        response = self.client.post(EXPENSE, expense_data(activity_date="2026-05-21"))
        self.assertContains(
            response, "The date of the expense cannot be in the future.", status_code=400
        )

    def test_an_expense_for_a_meeting_takes_the_meetings_date(self) -> None:
        meeting = MeetingFactory(
            starts_at=datetime.datetime(2026, 5, 13, 10, 0, tzinfo=datetime.UTC),
            ends_at=datetime.datetime(2026, 5, 13, 12, 0, tzinfo=datetime.UTC),
        )
        invite(meeting, self.alice)
        self.client.post(EXPENSE, expense_data(meeting=meeting.pk, activity_date="2026-05-01"))
        self.client.post(EXPENSE, expense_data(meeting=meeting.pk, activity_date=""))
        self.assertEqual(
            list(Claim.objects.values_list("activity_date", "meeting")),
            [(datetime.date(2026, 5, 13), meeting.pk)] * 2,
        )

    def test_without_a_meeting_the_date_is_needed(self) -> None:
        response = self.client.post(EXPENSE, expense_data(activity_date=""))
        self.assertContains(response, "Enter the date of the expense.", status_code=400)

    def test_a_meeting_that_has_not_happened_yet_cannot_be_claimed_for(self) -> None:
        meeting = MeetingFactory(
            starts_at=datetime.datetime(2026, 6, 3, 10, 0, tzinfo=datetime.UTC),
            ends_at=datetime.datetime(2026, 6, 3, 12, 0, tzinfo=datetime.UTC),
        )
        invite(meeting, self.alice)
        response = self.client.post(EXPENSE, expense_data(meeting=meeting.pk))
        self.assertContains(
            response,
            "Expenses for a meeting can be claimed once it has taken place.",
            status_code=400,
        )
        self.assertFalse(Claim.objects.exists())


@time_machine.travel(NOW, tick=False)
class StaffOverrideTest(BaseTestCase):
    def test_the_pie_team_accepts_an_old_claim_only_with_a_reason_kept_in_its_history(
        self,
    ) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.post(CLAIM_NEW, staff_expense(self.alice))
        self.assertContains(
            response,
            "That date is more than 12 months ago. To accept the claim anyway, say why in "
            "“Reason for an old date”.",
            status_code=400,
        )
        self.assertFalse(Claim.objects.exists())

        reason = "Paper claim posted in 2024 and lost in the internal post"
        self.client.post(CLAIM_NEW, staff_expense(self.alice, late_reason=reason))
        claim = Claim.objects.get()
        self.assertEqual(claim.activity_date, datetime.date(2024, 11, 3))
        self.assertEqual(
            claim.events.get().note,
            f"Entered by staff. Date more than 12 months ago, accepted by the PIE team: {reason}",
        )
        response = self.client.get(reverse("payments:claim", args=[claim.pk]))
        self.assertContains(response, reason)

    def test_finance_cannot_accept_an_old_claim_even_with_a_reason(self) -> None:
        self.client.force_login(self.finance_fay)
        response = self.client.post(
            CLAIM_NEW, staff_expense(self.alice, late_reason="Found it in a drawer")
        )
        self.assertContains(
            response,
            "That date is more than 12 months ago. Only the PIE team can accept a claim that old.",
            status_code=400,
        )
        self.assertFalse(Claim.objects.exists())

    def test_the_form_says_when_a_reason_is_needed(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.get(CLAIM_NEW)
        self.assertContains(response, "Reason for an old date (PIE team only)")
        self.assertContains(response, "Only for a date more than 12 months ago")
