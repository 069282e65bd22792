"""The researcher pages of the impact database: a project's impacts, recording one, GRIPP2,
the spreadsheet export and the PIE team's follow-up list."""

import csv
import datetime
import io

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advisors.models import Advisor
from impacts.forms import EVIDENCE_MAX_BYTES
from impacts.models import GrippSummary, ImpactRecord, Standard
from meetings.models import Meeting
from projects.models import PIEPlan, ProjectAdvisor
from tests.base import BaseTestCase
from tests.factories import (
    ActivityFactory,
    MeetingFactory,
    PlanFactory,
    ProjectFactory,
    add_member,
    make_impact,
)

PDF = b"%PDF-1.4 minutes of the advisory group"


def impact_post(**overrides) -> dict:
    data = {
        "kind": "actual",
        "stage": "design",
        "what_changed": "We reworded the consent form after advisors read it.",
        "category": "recruitment",
        "extent": "moderate",
        "direction": "positive",
        "evidence_text": "Minutes of the March meeting",
        "evidence_link": "",
        "recorded_on": "2026-03-14",
        "meeting": "",
        "planned_activity": "",
    }
    data.update(overrides)
    return data


class ImpactTestCase(BaseTestCase):
    """Rita leads the home care study (approved plan, two activities, Alice and Bob assigned);
    she is not on "Someone else's study"."""

    def setUp(self) -> None:
        super().setUp()
        self.project = ProjectFactory(title="Home care study")
        add_member(self.project, self.researcher_rita)
        self.plan = PlanFactory(project=self.project, status=PIEPlan.Status.APPROVED)
        self.interviews = ActivityFactory(
            plan=self.plan, anticipated_impact="Advisors shape the interview questions."
        )
        self.analysis = ActivityFactory(
            plan=self.plan,
            stage="analysis",
            activity_type="co_analysis",
            anticipated_impact="Advisors help interpret the themes.",
        )
        self.alice.acknowledgement = Advisor.Acknowledgement.INITIALS
        self.alice.save()
        for advisor in (self.alice, self.bob):
            ProjectAdvisor.objects.create(
                project=self.project, advisor=advisor, role="Advisory group member"
            )
        self.other = ProjectFactory(title="Someone else's study")
        self.other_plan = PlanFactory(project=self.other, status=PIEPlan.Status.APPROVED)
        self.other_activity = ActivityFactory(plan=self.other_plan)


class RecordImpactTest(ImpactTestCase):
    def test_rita_records_an_impact_and_sees_it_on_the_project_page(self) -> None:
        self.client.force_login(self.researcher_rita)
        working_together = Standard.objects.get(code="working_together")
        response = self.client.post(
            reverse("impacts:record", args=[self.project.pk]),
            impact_post(
                contributors=[self.alice.pk, self.bob.pk],
                standards=[working_together.pk],
                planned_activity=self.interviews.pk,
                evidence_link="https://example.org/minutes",
            ),
            follow=True,
        )
        self.assertRedirects(response, reverse("impacts:project", args=[self.project.pk]))
        self.assertContains(response, "The impact has been recorded.")
        impact = self.project.impacts.get()
        self.assertEqual(
            (impact.recorded_by, impact.planned_activity), (self.researcher_rita, self.interviews)
        )
        self.assertEqual(set(impact.contributors.all()), {self.alice, self.bob})
        self.assertContains(response, "We reworded the consent form after advisors read it.")
        # Named as they chose: Alice by initials, Bob in full.
        self.assertContains(response, "A. A., Bob Brown")
        self.assertContains(response, "Working together")
        self.assertContains(response, "Minutes of the March meeting")
        self.assertContains(response, 'href="https://example.org/minutes"')
        self.assertContains(response, "14 March 2026 by Rita")

    def test_missing_answers_are_explained_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.researcher_rita)
        response = self.client.post(
            reverse("impacts:record", args=[self.project.pk]),
            impact_post(
                stage="", what_changed="", evidence_link="not a link", recorded_on="31/02/2026"
            ),
        )
        self.assertContains(response, "There is a problem", status_code=400)
        self.assertContains(response, "Choose the stage of the research.", status_code=400)
        self.assertContains(
            response, "Say what changed because of the involvement.", status_code=400
        )
        self.assertContains(response, "Enter the link as a web address", status_code=400)
        self.assertContains(response, "Enter a real date", status_code=400)
        self.assertFalse(ImpactRecord.objects.exists())

    def test_evidence_file_must_be_pdf_jpeg_png_or_word_and_at_most_10_mb(self) -> None:
        self.client.force_login(self.researcher_rita)
        url = reverse("impacts:record", args=[self.project.pk])
        cases = [
            SimpleUploadedFile("run-me.exe", b"MZ\x90\x00 not evidence"),
            SimpleUploadedFile("minutes.pdf", b"<html>pretending</html>"),
            SimpleUploadedFile("minutes.pdf", b"%PDF-" + b"0" * EVIDENCE_MAX_BYTES),
        ]
        messages = [
            "must be a PDF, JPEG, PNG or Word (.docx) file",
            "must be a PDF, JPEG, PNG or Word (.docx) file",
            "the largest we accept is 10 MB",
        ]
        for upload, message in zip(cases, messages, strict=True):
            with self.subTest(file=upload.name, message=message):
                response = self.client.post(url, impact_post(evidence_file=upload))
                self.assertContains(response, message, status_code=400)
        self.assertFalse(ImpactRecord.objects.exists())

        response = self.client.post(
            url, impact_post(evidence_file=SimpleUploadedFile("minutes.pdf", PDF)), follow=True
        )
        impact = self.project.impacts.get()
        self.assertTrue(impact.evidence_file.name.endswith(".pdf"))
        self.assertContains(response, "Download the evidence file")

    def test_researcher_on_another_project_gets_404_and_cannot_record(self) -> None:
        self.client.force_login(self.researcher_rita)
        for name in ("impacts:project", "impacts:record", "impacts:gripp", "impacts:gripp-export"):
            with self.subTest(url=name):
                self.assertEqual(
                    self.client.get(reverse(name, args=[self.other.pk])).status_code, 404
                )
        response = self.client.post(reverse("impacts:record", args=[self.other.pk]), impact_post())
        self.assertEqual(response.status_code, 404)
        response = self.client.post(
            reverse("impacts:gripp", args=[self.other.pk]), {"aim": "Taken over"}
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(ImpactRecord.objects.exists())
        self.assertFalse(GrippSummary.objects.exists())

    def test_pie_team_records_on_any_project(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.post(reverse("impacts:record", args=[self.other.pk]), impact_post())
        self.assertRedirects(response, reverse("impacts:project", args=[self.other.pk]))
        self.assertEqual(self.other.impacts.get().recorded_by, self.staff_sam)

    def test_only_this_projects_meetings_activities_and_advisors_can_be_chosen(self) -> None:
        other_meeting = MeetingFactory(project=self.other, type=Meeting.Type.PROJECT)
        outsider = Advisor.objects.create(
            first_name="Olive", last_name="Other", email="olive@example.org"
        )
        self.client.force_login(self.researcher_rita)
        response = self.client.post(
            reverse("impacts:record", args=[self.project.pk]),
            impact_post(
                meeting=other_meeting.pk,
                planned_activity=self.other_activity.pk,
                contributors=[outsider.pk],
            ),
        )
        self.assertContains(
            response, "Choose one of this project&#x27;s meetings from the list.", status_code=400
        )
        self.assertContains(
            response,
            "Choose one of the activities of this project&#x27;s approved plan.",
            status_code=400,
        )
        self.assertContains(response, "Choose advisors assigned to this project.", status_code=400)
        self.assertFalse(ImpactRecord.objects.exists())

    def test_the_form_offers_this_projects_choices_and_defaults_to_today(self) -> None:
        meeting = MeetingFactory(
            project=self.project, type=Meeting.Type.PROJECT, title="Topic guide workshop"
        )
        MeetingFactory(project=self.other, title="Not ours")
        self.client.force_login(self.researcher_rita)
        response = self.client.get(reverse("impacts:record", args=[self.project.pk]))
        self.assertContains(response, meeting.title)
        self.assertNotContains(response, "Not ours")
        self.assertContains(response, "Alice Ashby")
        self.assertContains(response, "Advisors shape the interview questions.")
        self.assertContains(response, f'value="{timezone.localdate():%Y-%m-%d}"')

    def test_record_link_for_a_planned_activity_starts_from_it(self) -> None:
        self.client.force_login(self.researcher_rita)
        url = reverse("impacts:record", args=[self.project.pk])
        response = self.client.get(url, {"activity": self.analysis.pk})
        self.assertContains(response, f'<option value="{self.analysis.pk}" selected>', html=False)
        self.assertContains(response, '<option value="analysis" selected>')
        # Another project's activity is not a starting point.
        response = self.client.get(url, {"activity": self.other_activity.pk})
        self.assertNotContains(response, f'<option value="{self.other_activity.pk}"')
        self.assertContains(
            response, '<option value="" selected>Not about a planned activity</option>'
        )
        self.assertContains(response, '<option value="" selected>Choose a stage</option>')


class ProjectImpactsPageTest(ImpactTestCase):
    def test_impacts_are_grouped_by_stage_anticipated_and_actual(self) -> None:
        make_impact(self.project, self.researcher_rita, what_changed="Consent form shortened")
        make_impact(
            self.project,
            self.researcher_rita,
            stage="dissemination",
            kind="anticipated",
            what_changed="Advisors will co-present at the conference",
        )
        self.client.force_login(self.researcher_rita)
        response = self.client.get(reverse("impacts:project", args=[self.project.pk]))
        self.assertContains(response, "1 actual impact and 1 anticipated impact recorded")
        self.assertContains(response, '<h3 class="h4" id="stage-design">Design</h3>', html=True)
        self.assertContains(response, "Anticipated impact</h4>")
        self.assertContains(response, "Advisors will co-present at the conference")
        self.assertContains(response, "No impacts recorded at this stage yet.")
        self.assertContains(response, reverse("impacts:gripp", args=[self.project.pk]))

    def test_anticipated_impacts_say_whether_an_actual_impact_was_recorded(self) -> None:
        make_impact(self.project, self.researcher_rita, planned_activity=self.interviews)
        # An anticipated impact against an activity does not count as the actual one.
        make_impact(
            self.project, self.researcher_rita, planned_activity=self.analysis, kind="anticipated"
        )
        self.client.force_login(self.researcher_rita)
        response = self.client.get(reverse("impacts:project", args=[self.project.pk]))
        self.assertContains(response, "Anticipated impacts in the approved plan")
        rows = response.content.decode().split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
        self.assertIn("Advisors shape the interview questions.", rows[0])
        self.assertIn("Actual impact recorded", rows[0])
        self.assertIn("Advisors help interpret the themes.", rows[1])
        self.assertIn("No actual impact recorded yet", rows[1])
        self.assertIn(f"?activity={self.analysis.pk}", rows[1])

    def test_a_project_without_an_approved_plan_says_so(self) -> None:
        self.client.force_login(self.staff_sam)
        project = ProjectFactory(title="New study")
        response = self.client.get(reverse("impacts:project", args=[project.pk]))
        self.assertContains(response, "no approved PIE plan yet")

    def test_queries_do_not_grow_with_the_number_of_impacts(self) -> None:
        standards = list(Standard.objects.all()[:2])

        def add_impacts(n: int) -> None:
            meeting = MeetingFactory(project=self.project, type=Meeting.Type.PROJECT)
            for i in range(n):
                impact = make_impact(
                    self.project,
                    self.researcher_rita,
                    meeting=meeting,
                    planned_activity=self.interviews,
                    stage=["design", "analysis"][i % 2],
                    kind=["actual", "anticipated"][i % 2],
                )
                impact.contributors.set([self.alice, self.bob])
                impact.standards.set(standards)

        self.client.force_login(self.researcher_rita)
        url = reverse("impacts:project", args=[self.project.pk])
        add_impacts(2)
        # session, user, groups (role check), project, membership (access), impacts with meeting,
        # activity and recorder, contributors (prefetch), standards (prefetch), approved plan,
        # its activities with the count of actual impacts
        with self.assertNumQueries(10):
            self.client.get(url)
        add_impacts(15)
        with self.assertNumQueries(10):
            response = self.client.get(url)
        self.assertContains(response, "9 actual impacts and 8 anticipated impacts recorded")


class GrippTest(ImpactTestCase):
    def setUp(self) -> None:
        super().setUp()
        MeetingFactory(project=self.project, type=Meeting.Type.PROJECT)
        make_impact(self.project, self.researcher_rita, what_changed="Consent form shortened")
        make_impact(
            self.project, self.researcher_rita, stage="analysis", what_changed="Themes renamed"
        )
        self.url = reverse("impacts:gripp", args=[self.project.pk])

    def test_with_no_summary_the_form_starts_from_the_records_with_counts(self) -> None:
        self.client.force_login(self.researcher_rita)
        response = self.client.get(self.url)
        self.assertContains(response, "No summary has been saved yet.")
        self.assertContains(response, "2 Public Advisors took part in 1 meeting.")
        self.assertContains(
            response, "2 actual impacts recorded, at these stages: Analysis, Design."
        )
        self.assertContains(response, "- Design: Consent form shortened")
        self.assertFalse(GrippSummary.objects.exists())

    def test_rita_saves_the_summary_and_can_refill_it_without_losing_it(self) -> None:
        self.client.force_login(self.researcher_rita)
        data = {
            "aim": "Advisors shaped the study.",
            "methods": "Four meetings.",
            "results": "Consent form shortened.",
            "outcomes": "Involvement changed the design.",
            "reflections": "Start earlier next time.",
        }
        response = self.client.post(self.url, data, follow=True)
        self.assertRedirects(response, self.url)
        self.assertContains(response, "The GRIPP2 summary has been saved.")
        summary = GrippSummary.objects.get(project=self.project)
        self.assertEqual(
            (summary.reflections, summary.updated_by),
            ("Start earlier next time.", self.researcher_rita),
        )
        self.assertContains(response, "Start earlier next time.")

        response = self.client.get(self.url, {"refill": "1"})
        self.assertContains(response, "2 actual impacts recorded")
        self.assertContains(response, "Your saved summary is unchanged")
        summary.refresh_from_db()
        self.assertEqual(summary.aim, "Advisors shaped the study.")

    def test_pie_team_edits_any_projects_summary(self) -> None:
        self.client.force_login(self.staff_sam)
        self.client.post(self.url, {"aim": "Checked by the PIE team."})
        self.assertEqual(GrippSummary.objects.get(project=self.project).updated_by, self.staff_sam)

    def test_export_as_text_and_markdown_with_the_five_headings(self) -> None:
        GrippSummary.objects.create(
            project=self.project, aim="Advisors shaped the study.", reflections="Start earlier."
        )
        self.client.force_login(self.researcher_rita)
        url = reverse("impacts:gripp-export", args=[self.project.pk])
        response = self.client.get(url)
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        self.assertIn(
            f'filename="gripp2-project-{self.project.pk}.txt"', response["Content-Disposition"]
        )
        text = response.content.decode()
        self.assertTrue(text.startswith("GRIPP2 short form: public involvement in Home care study"))
        headings = [
            "1. Aim",
            "2. Methods",
            "3. Results",
            "4. Discussion and conclusions",
            "5. Reflections / critical perspective",
        ]
        positions = [text.index(f"\n{h}\n") for h in headings]
        self.assertEqual(positions, sorted(positions))
        self.assertIn("1. Aim\n------\nAdvisors shaped the study.", text)
        self.assertIn("2. Methods\n----------\nNot written yet.", text)

        response = self.client.get(url, {"format": "md"})
        self.assertEqual(response["Content-Type"], "text/markdown; charset=utf-8")
        text = response.content.decode()
        self.assertTrue(text.startswith("# GRIPP2 short form"))
        self.assertIn("## 5. Reflections / critical perspective\n\nStart earlier.", text)

    def test_export_before_anything_is_saved_is_the_draft_from_the_records(self) -> None:
        self.client.force_login(self.researcher_rita)
        text = self.client.get(
            reverse("impacts:gripp-export", args=[self.project.pk])
        ).content.decode()
        self.assertIn("Drafted from the project's records", text)
        self.assertIn("2 actual impacts recorded", text)


EXPORT_HEADER = [
    "id",
    "project",
    "stage",
    "anticipated or actual",
    "category",
    "extent",
    "direction",
    "what changed",
    "evidence",
    "evidence link",
    "contributors",
    "UK Standards",
    "recorded by",
    "recorded on",
]


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


class ExportTest(ImpactTestCase):
    def test_csv_has_the_agreed_columns_and_advisors_named_as_they_chose(self) -> None:
        impact = make_impact(
            self.project,
            self.researcher_rita,
            what_changed='=HYPERLINK("x")',
            evidence_text="Minutes",
            evidence_link="https://example.org/m",
            category="recruitment",
        )
        impact.contributors.set([self.alice, self.bob])
        impact.standards.set(Standard.objects.filter(code__in=["impact", "working_together"]))
        self.client.force_login(self.researcher_rita)
        response = self.client.get(reverse("impacts:export"))
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn(".csv", response["Content-Disposition"])
        rows = read_csv(response)
        self.assertEqual(rows[0], EXPORT_HEADER)
        self.assertEqual(
            rows[1],
            [
                str(impact.pk),
                "Home care study",
                "Design",
                "Actual",
                "Participant information and recruitment",
                "Moderate",
                "Positive",
                # A formula typed into a text is neutralised, so a spreadsheet shows it and never runs it.
                '\'=HYPERLINK("x")',
                "Minutes",
                "https://example.org/m",
                "A. A.; Bob Brown",
                "Working together; Impact",
                "Rita",
                "2026-06-01",
            ],
        )

    def test_xlsx_opens_with_the_same_columns(self) -> None:
        import openpyxl

        make_impact(self.project, self.researcher_rita)
        self.client.force_login(self.staff_sam)
        response = self.client.get(reverse("impacts:export"), {"format": "xlsx"})
        self.assertIn(".xlsx", response["Content-Disposition"])
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        self.assertEqual([c.value for c in sheet[1]], EXPORT_HEADER)
        self.assertEqual(sheet.max_row, 2)

    def test_an_unknown_format_is_refused(self) -> None:
        self.client.force_login(self.staff_sam)
        self.assertEqual(
            self.client.get(reverse("impacts:export"), {"format": "pdf"}).status_code, 400
        )

    def test_export_follows_the_search_filters(self) -> None:
        make_impact(
            self.project,
            self.researcher_rita,
            stage="design",
            what_changed="Consent form shortened",
        )
        make_impact(
            self.project, self.researcher_rita, stage="analysis", what_changed="Themes renamed"
        )
        self.client.force_login(self.staff_sam)
        rows = read_csv(self.client.get(reverse("impacts:export"), {"stage": "analysis"}))
        self.assertEqual([r[7] for r in rows[1:]], ["Themes renamed"])

    def test_export_queries_do_not_grow_with_rows(self) -> None:
        self.client.force_login(self.staff_sam)
        url = reverse("impacts:export")

        def add(n: int) -> None:
            for _ in range(n):
                impact = make_impact(self.project, self.researcher_rita)
                impact.contributors.set([self.alice, self.bob])
                impact.standards.set(Standard.objects.all()[:2])

        add(3)
        with CaptureQueriesContext(connection) as small:
            self.client.get(url)
        add(20)
        # session, user, groups (role check); then import-export pages through the results:
        # count, impacts with project and recorder, contributors, standards (prefetch)
        with self.assertNumQueries(len(small.captured_queries)):
            response = self.client.get(url)
        self.assertEqual(len(read_csv(response)), 24)


class FollowUpTest(ImpactTestCase):
    @time_machine.travel(datetime.datetime(2026, 3, 18, 12, tzinfo=datetime.UTC), tick=False)
    def test_a_project_with_a_meeting_and_no_impact_since_is_listed(self) -> None:
        meeting = MeetingFactory(
            project=self.project, type=Meeting.Type.PROJECT, title="Topic guide workshop"
        )
        # An actual impact from before the meeting does not count.
        make_impact(
            self.project,
            self.researcher_rita,
            recorded_on=timezone.localdate() - datetime.timedelta(days=30),
        )
        self.client.force_login(self.staff_sam)
        url = reverse("impacts:follow-up")
        response = self.client.get(url)
        self.assertContains(response, "Home care study")
        self.assertContains(response, "No impact recorded since “Topic guide workshop”")
        self.assertEqual(meeting.starts_at.date(), datetime.date(2026, 3, 11))
        self.assertContains(response, "11 March 2026 (1\xa0week ago)")
        self.assertContains(response, reverse("impacts:record", args=[self.project.pk]))

        make_impact(self.project, self.researcher_rita, recorded_on=timezone.localdate())
        response = self.client.get(url)
        self.assertNotContains(response, "Topic guide workshop")

    def test_only_the_pie_team_sees_it(self) -> None:
        for user in (self.researcher_rita, self.manager_mo):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(reverse("impacts:follow-up")).status_code, 403)
