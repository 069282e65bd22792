import datetime
from decimal import Decimal

from django.urls import reverse

from meetings.services import AttendanceRow
from payments.services.attendance import attendance_confirm_and_pay
from rates.models import RateCard
from tests.base import BaseTestCase
from tests.factories import MeetingFactory, example_rate_card, invite


class RateCardAdminTest(BaseTestCase):
    def test_a_rate_that_paid_a_claim_cannot_be_edited_but_a_new_one_can_be_added(self) -> None:
        example_rate_card()
        start = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC)
        meeting = MeetingFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
        invite(meeting, self.alice)
        attendance_confirm_and_pay(
            meeting=meeting,
            rows=[AttendanceRow(advisor_id=self.alice.pk, status="attended")],
            by=self.staff_sam,
        )
        used = RateCard.objects.get(activity="meeting", effective_from="2025-12-16")
        unused = RateCard.objects.get(activity="training", effective_from="2025-12-16")
        self.client.force_login(self.staff_sam)
        response = self.client.post(
            reverse("admin:rates_ratecard_change", args=[used.pk]),
            {"activity": "meeting", "effective_from": "2025-12-16", "hourly_rate": "99.00"},
        )
        self.assertEqual(response.status_code, 403)
        used.refresh_from_db()
        self.assertEqual(used.hourly_rate, Decimal("27.50"))
        self.assertEqual(
            self.client.get(reverse("admin:rates_ratecard_change", args=[unused.pk])).status_code,
            200,
        )
        self.assertEqual(self.client.get(reverse("admin:rates_ratecard_add")).status_code, 200)
