"""Importing attendance from a file: preview, all or nothing, claims through the service."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings.models import Attendance
from payments.models import Claim
from tests.base import BaseTestCase
from tests.factories import MeetingFactory, example_rate_card, invite


class AttendanceImportTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        example_rate_card()
        start = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC)
        self.meeting = MeetingFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
        invite(self.meeting, self.alice, self.bob)
        self.client.force_login(self.staff_sam)

    def csv(self, *rows: str) -> str:
        return "meeting_id,advisor_email,status,minutes_attended,preparation_hours\n" + "".join(
            r + "\n" for r in rows
        )

    def preview(self, content: str):
        return self.client.post(
            reverse("admin:meetings_attendance_import"),
            {
                "format": "0",
                "resource": "0",
                "import_file": SimpleUploadedFile("attendance.csv", content.encode()),
            },
        )

    def confirm(self, preview):
        return self.client.post(
            reverse("admin:meetings_attendance_process_import"),
            {**preview.context["confirm_form"].initial, "resource": "0"},
        )

    def test_good_file_previews_then_records_attendance_and_claims(self) -> None:
        content = self.csv(
            f"{self.meeting.pk},{self.alice.email},Attended,,1",
            f"{self.meeting.pk},{self.bob.email},partly,30,0",
        )
        response = self.preview(content)
        self.assertFalse(Attendance.objects.exists(), "the preview must not save")
        self.confirm(response)
        self.assertEqual(Attendance.objects.count(), 2)
        amounts = dict(Claim.objects.values_list("advisor__first_name", "amount"))
        self.assertEqual(amounts, {"Alice": Decimal("82.50"), "Bob": Decimal("13.75")})

    def test_one_bad_row_changes_nothing_and_says_why(self) -> None:
        content = self.csv(
            f"{self.meeting.pk},{self.alice.email},attended,,1",
            f"{self.meeting.pk},{self.bob.email},sleeping,,0",
        )
        response = self.preview(content)
        self.assertContains(
            response, "Status &#x27;sleeping&#x27; is not one of: attended, partly, absent."
        )
        self.assertIsNone(response.context.get("confirm_form"))
        self.assertFalse(Attendance.objects.exists())
        self.assertFalse(Claim.objects.exists())

    def test_someone_not_invited_is_refused(self) -> None:
        from tests.factories import AdvisorFactory

        stranger = AdvisorFactory()
        response = self.preview(self.csv(f"{self.meeting.pk},{stranger.email},attended,,0"))
        self.assertContains(response, "was not invited")
        self.assertIsNone(response.context.get("confirm_form"))

    def test_importing_twice_adds_nothing(self) -> None:
        content = self.csv(f"{self.meeting.pk},{self.alice.email},attended,,1")
        self.confirm(self.preview(content))
        self.confirm(self.preview(content))
        self.assertEqual(Attendance.objects.count(), 1)
        self.assertEqual(Claim.objects.count(), 1)
