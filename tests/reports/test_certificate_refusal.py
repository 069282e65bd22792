"""A certificate of involvement for someone with no involvement is refused, with the reason,
when it is asked for (issue 15: it used to say "0 meetings, 0 hours")."""

import tempfile
from pathlib import Path
from unittest import mock

from django.core.management import CommandError, call_command
from django.urls import reverse

from meetings.models import Attendance
from reports.models import ReportRequest
from reports.services import report_build
from tests.base import BaseTestCase, pdf_text
from tests.factories import MeetingFactory

DELAY = "reports.tasks.report_build.delay"


class CertificateRefusalTest(BaseTestCase):
    def test_an_advisor_with_no_involvement_is_told_why_in_plain_words(self) -> None:
        self.client.force_login(self.advisor_alice)
        with mock.patch(DELAY) as delay:
            response = self.client.post(
                reverse("reports:portal"), {"document": "certificate"}, follow=True
            )
        self.assertContains(response, "We cannot make a certificate of involvement for you yet")
        self.assertNotContains(response, "0 meetings")
        self.assertFalse(ReportRequest.objects.exists())
        delay.assert_not_called()

    def test_the_pie_team_is_told_why_on_the_letters_page(self) -> None:
        self.client.force_login(self.staff_sam)
        with mock.patch(DELAY) as delay:
            response = self.client.post(
                reverse("reports:letters"), {"advisor": self.bob.pk}, follow=True
            )
        self.assertContains(
            response, "We cannot make a certificate of involvement for Bob Brown yet"
        )
        self.assertContains(response, "no meetings attended and no hours of involvement")
        self.assertFalse(ReportRequest.objects.exists())
        delay.assert_not_called()

    def test_with_one_meeting_the_certificate_is_made_and_says_1_meeting(self) -> None:
        Attendance.objects.create(meeting=MeetingFactory(), advisor=self.alice, status="attended")
        self.client.force_login(self.staff_sam)
        with mock.patch(DELAY), self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("reports:letters"), {"advisor": self.alice.pk})
        report = ReportRequest.objects.get()
        self.assertEqual(report.kind, ReportRequest.Kind.CERTIFICATE)
        self.assertEqual(report_build(request_id=report.pk), "done")
        response = self.client.get(reverse("reports:download", args=[report.pk]))
        text = " ".join(pdf_text(b"".join(response.streaming_content)).split())
        self.assertIn("1 meeting,", text)
        self.assertIn("2 hours", text)
        self.assertNotIn("1 meetings", text)

    def test_build_report_refuses_a_certificate_of_nothing(self) -> None:
        out = Path(tempfile.mkdtemp()) / "certificate.pdf"
        with self.assertRaisesMessage(CommandError, "no meetings attended"):
            call_command(
                "build_report", "certificate", "--advisor", str(self.bob.pk), "--output", str(out)
            )
        self.assertFalse(out.exists())

    def test_an_unknown_advisor_on_the_letters_page_is_404(self) -> None:
        self.client.force_login(self.staff_sam)
        self.assertEqual(
            self.client.post(reverse("reports:letters"), {"advisor": 999}).status_code, 404
        )
        self.assertEqual(self.client.post(reverse("reports:letters"), {}).status_code, 404)
