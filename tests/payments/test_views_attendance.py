import datetime
from decimal import Decimal

from django.urls import reverse

from payments.models import Claim
from tests.base import BaseTestCase
from tests.factories import MeetingFactory, example_rate_card, invite, mark_paid


def form_data(rows: list[dict]) -> dict:
    data = {
        "att-TOTAL_FORMS": str(len(rows)),
        "att-INITIAL_FORMS": str(len(rows)),
        "att-MIN_NUM_FORMS": "0",
        "att-MAX_NUM_FORMS": "1000",
    }
    for i, r in enumerate(rows):
        for k, v in r.items():
            data[f"att-{i}-{k}"] = v
    return data


class AttendanceScreenTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        example_rate_card()
        start = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC)
        self.meeting = MeetingFactory(
            starts_at=start, ends_at=start + datetime.timedelta(hours=2), type="management"
        )
        invite(self.meeting, self.alice, self.bob)
        self.url = reverse("payments:attendance", args=[self.meeting.pk])
        self.client.force_login(self.staff_sam)

    def rows(self, alice="attended", bob="absent") -> dict:
        return form_data(
            [
                {
                    "advisor_id": self.alice.pk,
                    "status": alice,
                    "minutes_attended": "",
                    "preparation_hours": "1",
                },
                {
                    "advisor_id": self.bob.pk,
                    "status": bob,
                    "minutes_attended": "",
                    "preparation_hours": "0",
                },
            ]
        )

    def test_one_screen_for_all_invitees_creates_claims_and_records_presence(self) -> None:
        response = self.client.get(self.url)
        self.assertContains(response, "Alice Ashby")
        self.assertContains(response, "Bob Brown")
        response = self.client.post(
            self.url, {**self.rows(), "pie_lead_present": "on"}, follow=True
        )
        self.assertContains(response, "Attendance saved. 1 × claim created; 1 × no claim.")
        self.assertEqual(Claim.objects.get().amount, Decimal("82.50"))
        self.meeting.refresh_from_db()
        self.assertTrue(self.meeting.pie_lead_present)

    def test_confirming_again_never_makes_a_second_claim(self) -> None:
        self.client.post(self.url, self.rows())
        response = self.client.post(self.url, self.rows(), follow=True)
        self.assertContains(response, "1 × claim unchanged")
        self.assertEqual(Claim.objects.count(), 1)

    def test_a_paid_claim_is_not_changed_and_the_screen_says_so(self) -> None:
        self.client.post(self.url, self.rows())
        mark_paid(*Claim.objects.all())
        response = self.client.post(self.url, self.rows(alice="absent"), follow=True)
        self.assertContains(
            response,
            "Alice Ashby&#x27;s claim is already paid or in a payment batch, so it was not changed.",
        )
        self.assertContains(response, "(paid or in a batch: will not change)")
        self.assertEqual(Claim.objects.get().status, "paid")

    def test_part_attendance_needs_minutes_and_nothing_is_saved_otherwise(self) -> None:
        response = self.client.post(self.url, self.rows(alice="partly"))
        self.assertContains(
            response,
            "For part attendance, enter how many minutes they were there.",
            status_code=400,
        )
        self.assertFalse(Claim.objects.exists())

    def test_only_the_pie_team(self) -> None:
        for user in (self.advisor_alice, self.researcher_rita, self.finance_fay):
            self.client.force_login(user)
            self.assertEqual(self.client.post(self.url, self.rows()).status_code, 403)
        self.assertFalse(Claim.objects.exists())
