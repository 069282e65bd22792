"""The reference letter (issue 15): it names a referee, reads grammatically, refuses to be made
while the draft's placeholder is in it, and is reachable from the staff and reports pages."""

import tempfile
from pathlib import Path
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from meetings.models import Attendance
from projects.models import ProjectAdvisor
from reports.models import ReportRequest
from reports.services import reference_draft, report_build
from tests.base import BaseTestCase, pdf_text
from tests.factories import MeetingFactory, ProjectFactory, TrainingFactory

DELAY = "reports.tasks.report_build.delay"
PLACEHOLDER = "[Add what they brought to the work, in your own words.]"


def attended(advisor, n: int = 1) -> None:
    for _ in range(n):
        Attendance.objects.create(meeting=MeetingFactory(), advisor=advisor, status="attended")


@override_settings(
    UNIT_CONTACT_PHONE="01227 000000", UNIT_CONTACT_ADDRESS="Cornwallis East\nCanterbury CT2 7NF"
)
class ReferenceLetterTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.staff_sam.last_name = "Stone"
        self.staff_sam.save()
        self.url = reverse("reports:reference", args=[self.alice.pk])
        self.client.force_login(self.staff_sam)

    def make(self, data: dict) -> ReportRequest:
        """Post the form, run the worker's job, and return the request."""
        with mock.patch(DELAY), self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, data)
        self.assertRedirects(response, reverse("reports:home"), fetch_redirect_response=False)
        report = ReportRequest.objects.get()
        self.assertEqual(report_build(request_id=report.pk), "done")
        return report

    def download_text(self, report: ReportRequest) -> str:
        response = self.client.get(reverse("reports:download", args=[report.pk]))
        self.assertEqual(response.status_code, 200)
        return " ".join(pdf_text(b"".join(response.streaming_content)).split())

    def test_the_form_names_the_signed_in_member_of_staff_as_the_referee(self) -> None:
        response = self.client.get(self.url)
        initial = response.context["form"].initial
        self.assertEqual(initial["referee_name"], "Sam Stone")
        self.assertIn("Public Involvement and Engagement team", initial["referee_role"])
        self.assertEqual(
            initial["referee_contact"].splitlines(),
            ["sam@example.org", "01227 000000", "Cornwallis East", "Canterbury CT2 7NF"],
        )
        self.assertContains(response, "Who gives the reference")
        self.assertContains(response, 'name="referee_name"')

    def test_the_letter_names_the_referee_with_their_role_and_contact(self) -> None:
        report = self.make(
            {
                "letter_text": "To whom it may concern,\n\nAlice shaped our questions.",
                "referee_name": "Dr Pat Jones",
                "referee_role": "Head of Public Involvement",
                "referee_contact": "pat@example.ac.uk\n01227 111111",
            }
        )
        text = self.download_text(report)
        for words in (
            "Alice shaped our questions.",
            "Dr Pat Jones",
            "Head of Public Involvement",
            "pat@example.ac.uk",
            "01227 111111",
        ):
            self.assertIn(words, text)

    def test_an_empty_referee_is_the_signed_in_member_of_staff(self) -> None:
        text = self.download_text(self.make({"letter_text": "Alice shaped our questions."}))
        self.assertIn("Sam Stone", text)
        self.assertIn("sam@example.org", text)
        self.assertIn("01227 000000", text)

    def test_the_draft_placeholder_is_refused_naming_it(self) -> None:
        draft = reference_draft(advisor=self.alice)
        self.assertIn(PLACEHOLDER, draft)
        with mock.patch(DELAY) as delay:
            response = self.client.post(self.url, {"letter_text": draft})
        self.assertContains(response, "The letter still has the placeholder", status_code=400)
        self.assertContains(response, PLACEHOLDER, status_code=400)
        self.assertFalse(ReportRequest.objects.exists())
        delay.assert_not_called()

    def test_any_note_in_square_brackets_is_refused(self) -> None:
        response = self.client.post(self.url, {"letter_text": "Alice was [say more]. Thanks."})
        self.assertContains(response, "“[say more]”", status_code=400)

    def test_the_draft_says_one_meeting_and_joins_lists_with_and(self) -> None:
        attended(self.alice)
        for project, role in (("Care at home", "co-applicant"), ("Carers", "lay reviewer")):
            ProjectAdvisor.objects.create(
                project=ProjectFactory(title=project), advisor=self.alice, role=role
            )
        TrainingFactory(advisor=self.alice, course="Introduction to research")
        TrainingFactory(advisor=self.alice, course="Chairing meetings")
        TrainingFactory(advisor=self.alice, course="Plain English")
        draft = reference_draft(advisor=self.alice)
        self.assertIn(
            "Alice Ashby has been a Public Advisor with the ASCRU2 Policy Research Unit "
            "since January 2025.",
            draft,
        )
        self.assertIn("taken part in 1 meeting of our advisory", draft)
        self.assertIn("contributed as co-applicant and lay reviewer.", draft)
        self.assertIn(
            "completed training in Introduction to research, Chairing meetings and Plain English.",
            draft,
        )
        for wrong in ("  ", "..", ",.", " .", "1 meetings", ": "):
            self.assertNotIn(wrong, draft.replace(PLACEHOLDER, ""))

    def test_the_draft_for_someone_new_says_nothing_about_meetings(self) -> None:
        self.alice.joined_on = None
        self.alice.save()
        draft = reference_draft(advisor=self.alice)
        self.assertIn(
            "Alice Ashby has been a Public Advisor with the ASCRU2 Policy Research Unit.", draft
        )
        self.assertNotIn("0 meetings", draft)
        self.assertNotIn("  ", draft)

    def test_two_meetings_are_plural(self) -> None:
        attended(self.alice, 2)
        self.assertIn("taken part in 2 meetings of", reference_draft(advisor=self.alice))


class ReferenceReachableTest(BaseTestCase):
    def test_the_pie_team_reaches_the_letter_from_the_reports_and_staff_pages(self) -> None:
        self.client.force_login(self.staff_sam)
        letters = reverse("reports:letters")
        for page in (reverse("reports:home"), reverse("staff-home")):
            with self.subTest(page=page):
                self.assertContains(self.client.get(page), f'href="{letters}"')
        response = self.client.get(letters)
        self.assertContains(response, reverse("reports:reference", args=[self.alice.pk]))
        self.assertContains(response, "Alice Ashby")

    def test_the_manager_sees_no_link_to_advisors_letters(self) -> None:
        self.client.force_login(self.manager_mo)
        self.assertNotContains(self.client.get(reverse("reports:home")), "Reference letters")

    def test_the_letters_page_counts_meetings_in_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.staff_sam)
        attended(self.alice, 2)
        # Queries: session, user, roles, how many advisors, a page of them with their
        # meetings counted.
        with self.assertNumQueries(5):
            response = self.client.get(reverse("reports:letters"))
        self.assertContains(response, "2 meetings")
        self.assertContains(response, "Not yet: no meetings attended")  # Bob

    def test_only_the_pie_team_opens_the_letters_page(self) -> None:
        url = reverse("reports:letters")
        for user in (self.manager_mo, self.advisor_alice, self.researcher_rita, self.finance_fay):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(url).status_code, 403)
                self.assertEqual(self.client.post(url, {"advisor": self.alice.pk}).status_code, 403)
        self.assertFalse(ReportRequest.objects.exists())


class BuildReferenceCommandTest(BaseTestCase):
    def test_the_command_writes_the_draft_then_refuses_it_until_the_placeholder_goes(self) -> None:
        folder = Path(tempfile.mkdtemp())
        draft, pdf = folder / "letter.txt", folder / "letter.pdf"
        call_command(
            "build_report",
            "reference",
            "--advisor",
            str(self.alice.pk),
            "--write-draft",
            str(draft),
        )
        self.assertIn(PLACEHOLDER, draft.read_text())
        args = ["build_report", "reference", "--advisor", str(self.alice.pk)]
        with self.assertRaisesMessage(CommandError, "The letter still has the placeholder"):
            call_command(*args, "--letter", str(draft), "--output", str(pdf))
        self.assertFalse(pdf.exists())
        draft.write_text(draft.read_text().replace(PLACEHOLDER, "Alice chaired our panel."))
        call_command(
            *args,
            "--letter",
            str(draft),
            "--output",
            str(pdf),
            "--referee-name",
            "Dr Pat Jones",
            "--referee-role",
            "Head of Public Involvement",
            "--referee-contact",
            "pat@example.ac.uk\\n01227 111111",
        )
        text = pdf_text(pdf.read_bytes())
        for words in ("Alice chaired our panel.", "Dr Pat Jones", "Head of Public Involvement"):
            self.assertIn(words, text)
        self.assertIn("01227 111111", text)

    def test_a_reference_needs_a_letter(self) -> None:
        with self.assertRaisesMessage(CommandError, "A reference needs --letter FILE"):
            call_command(
                "build_report",
                "reference",
                "--advisor",
                str(self.alice.pk),
                "--output",
                "/tmp/x.pdf",
            )
