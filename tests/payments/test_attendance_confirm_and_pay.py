"""Confirming attendance creates exactly one time claim per advisor, at the rate of the day."""

import datetime
import threading
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TransactionTestCase, skipUnlessDBFeature
from django.utils import timezone

from meetings.models import Attendance
from meetings.services import AttendanceRow
from payments.models import Claim, ClaimEvent
from payments.services.attendance import attendance_confirm_and_pay
from tests.base import BaseTestCase, ensure_roles, make_user
from tests.factories import AdvisorFactory, MeetingFactory, example_rate_card, invite, mark_paid

TZ = datetime.UTC


def row(advisor, status="attended", minutes=None, prep="1.00") -> AttendanceRow:
    return AttendanceRow(
        advisor_id=advisor.pk,
        status=status,
        minutes_attended=minutes,
        preparation_hours=Decimal(prep),
    )


class AttendanceConfirmTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        example_rate_card()
        # 10:00-12:00 on 1 March 2026: after the 16 Dec 2025 rise (meeting £27.50/h, preparation £27.50/h).
        start = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=TZ)
        self.meeting = MeetingFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
        invite(self.meeting, self.alice, self.bob)

    def test_one_claim_per_attending_advisor_at_the_rate_of_the_day(self) -> None:
        results = attendance_confirm_and_pay(
            meeting=self.meeting, rows=[row(self.alice), row(self.bob, "absent")], by=self.staff_sam
        )
        self.assertEqual([o.outcome for _, o in results], ["created", "none"])
        claim = Claim.objects.get()
        # 2 h x £27.50 = £55.00, plus 1 h preparation x £27.50 = £27.50
        self.assertEqual(
            (claim.advisor, claim.amount, claim.status), (self.alice, Decimal("82.50"), "submitted")
        )
        self.assertEqual(claim.rate_snapshot["meeting"]["hourly_rate"], "27.50")
        self.assertIn("2 h × £27.50/h = £55.00", claim.computation)
        self.assertEqual(ClaimEvent.objects.get().to_status, "submitted")
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.status, "held")

    def test_a_meeting_before_the_rate_rise_uses_the_old_rate(self) -> None:
        start = datetime.datetime(2025, 12, 15, 10, 0, tzinfo=TZ)
        old = MeetingFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
        invite(old, self.alice)
        attendance_confirm_and_pay(meeting=old, rows=[row(self.alice, prep="0")], by=self.staff_sam)
        self.assertEqual(Claim.objects.get().amount, Decimal("50.00"))

    def test_confirming_twice_leaves_one_claim_and_editing_updates_it(self) -> None:
        attendance_confirm_and_pay(meeting=self.meeting, rows=[row(self.alice)], by=self.staff_sam)
        results = attendance_confirm_and_pay(
            meeting=self.meeting, rows=[row(self.alice)], by=self.staff_sam
        )
        self.assertEqual(results[0][1].outcome, "unchanged")
        attendance_confirm_and_pay(
            meeting=self.meeting,
            rows=[row(self.alice, "partly", minutes=60, prep="0")],
            by=self.staff_sam,
        )
        claim = Claim.objects.get()
        self.assertEqual(claim.amount, Decimal("27.50"))
        self.assertEqual(Attendance.objects.count(), 1)
        self.assertEqual(
            list(claim.events.values_list("old_amount", "new_amount")),
            [(None, Decimal("82.50")), (Decimal("82.50"), Decimal("27.50"))],
        )

    def test_an_approved_claim_that_changes_goes_back_for_approval(self) -> None:
        attendance_confirm_and_pay(meeting=self.meeting, rows=[row(self.alice)], by=self.staff_sam)
        Claim.objects.update(status="approved")
        attendance_confirm_and_pay(
            meeting=self.meeting, rows=[row(self.alice, prep="2")], by=self.staff_sam
        )
        self.assertEqual(Claim.objects.get().status, "submitted")

    def test_a_paid_claim_is_left_alone_and_reported(self) -> None:
        attendance_confirm_and_pay(meeting=self.meeting, rows=[row(self.alice)], by=self.staff_sam)
        mark_paid(*Claim.objects.all())
        results = attendance_confirm_and_pay(
            meeting=self.meeting, rows=[row(self.alice, "absent")], by=self.staff_sam
        )
        self.assertEqual(results[0][1].outcome, "locked")
        claim = Claim.objects.get()
        self.assertEqual((claim.status, claim.amount), ("paid", Decimal("82.50")))

    def test_absent_after_all_cancels_an_unpaid_claim(self) -> None:
        attendance_confirm_and_pay(meeting=self.meeting, rows=[row(self.alice)], by=self.staff_sam)
        attendance_confirm_and_pay(
            meeting=self.meeting, rows=[row(self.alice, "absent")], by=self.staff_sam
        )
        self.assertEqual(Claim.objects.get().status, "cancelled")
        attendance_confirm_and_pay(meeting=self.meeting, rows=[row(self.alice)], by=self.staff_sam)
        self.assertEqual(Claim.objects.get().status, "submitted")
        self.assertEqual(Claim.objects.count(), 1)

    def test_an_advisor_who_declines_payment_gets_no_claim(self) -> None:
        self.bob.payment_preference = "decline"
        self.bob.save()
        results = attendance_confirm_and_pay(
            meeting=self.meeting, rows=[row(self.bob)], by=self.staff_sam
        )
        self.assertEqual(results[0][1].outcome, "declined")
        self.assertFalse(Claim.objects.exists())
        self.assertEqual(
            Attendance.objects.get().status, "attended"
        )  # still counts for recognition

    def test_no_rate_means_nothing_is_saved(self) -> None:
        start = datetime.datetime(2020, 1, 1, 10, 0, tzinfo=TZ)
        ancient = MeetingFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=1))
        invite(ancient, self.alice, self.bob)
        with self.assertRaisesMessage(
            ValidationError, "There is no rate for meeting attendance on 01 January 2020"
        ):
            attendance_confirm_and_pay(
                meeting=ancient, rows=[row(self.bob, "absent"), row(self.alice)], by=self.staff_sam
            )
        self.assertFalse(Attendance.objects.exists())
        self.assertFalse(Claim.objects.exists())

    def test_only_invitees_and_only_after_the_start(self) -> None:
        stranger = AdvisorFactory()
        with self.assertRaisesMessage(ValidationError, "only be recorded for people invited"):
            attendance_confirm_and_pay(
                meeting=self.meeting, rows=[row(stranger)], by=self.staff_sam
            )
        future = MeetingFactory(
            starts_at=timezone.now() + datetime.timedelta(days=1),
            ends_at=timezone.now() + datetime.timedelta(days=1, hours=1),
        )
        invite(future, self.alice)
        with self.assertRaisesMessage(ValidationError, "has not started yet"):
            attendance_confirm_and_pay(meeting=future, rows=[row(self.alice)], by=self.staff_sam)


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentConfirmTest(TransactionTestCase):
    """Two staff confirm the same meeting at the same moment (PostgreSQL: real row locks)."""

    def test_two_requests_at_once_leave_exactly_one_claim_per_advisor(self) -> None:
        ensure_roles()
        example_rate_card()
        sam = make_user("sam", "pie_team", is_staff=True)
        advisors = [AdvisorFactory() for _ in range(3)]
        start = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=TZ)
        meeting = MeetingFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
        invite(meeting, *advisors)
        barrier = threading.Barrier(2)
        errors = []

        def confirm() -> None:
            try:
                barrier.wait(timeout=10)
                attendance_confirm_and_pay(meeting=meeting, rows=[row(a) for a in advisors], by=sam)
            except Exception as exc:  # collected and asserted below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=confirm) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        self.assertEqual(errors, [])
        self.assertEqual(Attendance.objects.filter(meeting=meeting).count(), 3)
        self.assertEqual(Claim.objects.filter(meeting=meeting).count(), 3)
        self.assertEqual(
            sorted(Claim.objects.values_list("advisor_id", flat=True)),
            sorted(a.pk for a in advisors),
        )
