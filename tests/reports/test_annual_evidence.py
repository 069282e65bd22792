"""The annual report as evidence for the UK Standards (issue 15): per standard the figures,
the narrative and only the examples the PIE team chose; a calendar or a financial year; a
compact equality table; impacts in research stage order; outputs in the project report."""

import datetime
from unittest import mock

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from impacts.models import AdvisorReflection, Standard
from meetings.models import Attendance
from reports.figures import Period
from reports.models import ReportExample, ReportRequest, StandardNarrative
from reports.services import render_report, report_build
from tests.base import BaseTestCase, pdf_text
from tests.factories import MeetingFactory, TrainingFactory, make_impact, small_unit

DELAY = "reports.tasks.report_build.delay"
CURATED = "Advisors rewrote the interview questions so that carers could answer them."
NOT_CURATED = "A test impact that nobody chose as an example."


def standard(code: str) -> Standard:
    return Standard.objects.get(code=code)


class AnnualEvidenceTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        small_unit(self)
        self.output = self.project.outputs.get()
        self.output.published_on = datetime.date(2026, 5, 1)
        self.output.save()
        TrainingFactory(
            advisor=self.bob,
            course="Reviewing plain summaries",
            completed_on=datetime.date(2026, 6, 1),
        )
        start = datetime.datetime(2026, 4, 20, 10, 0, tzinfo=datetime.UTC)
        self.management = MeetingFactory(
            title="Management Group, April",
            type="management",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            pie_lead_present=True,
        )
        Attendance.objects.create(meeting=self.management, advisor=self.alice, status="attended")
        self.other = make_impact(
            self.project,
            self.staff_sam,
            self.alice,
            kind="actual",
            stage="identifying",
            what_changed=NOT_CURATED,
            recorded_on=datetime.date(2026, 7, 1),
        )
        self.other.standards.add(standard("impact"))
        self.reflection = AdvisorReflection.objects.create(
            impact=self.impact, advisor=self.alice, text="I felt listened to."
        )

    def pdf(self, **fields) -> str:
        pdf, _ = render_report(ReportRequest(requested_by=self.staff_sam, **fields))
        return pdf_text(pdf)


class AnnualReportSectionsTest(AnnualEvidenceTestCase):
    def setUp(self) -> None:
        super().setUp()
        ReportExample.objects.create(
            year=2026, standard=standard("working_together"), impact=self.impact, text=CURATED
        )
        ReportExample.objects.create(
            year=2026,
            standard=standard("impact"),
            reflection=self.reflection,
            text="You asked us to explain the questions; we did.",
        )
        StandardNarrative.objects.create(
            year=2026, standard=standard("governance"), text="Advisors sat on every board."
        )

    def test_each_standard_has_its_figures_narrative_and_only_the_chosen_examples(self) -> None:
        text = self.pdf(kind="annual", year=2026)
        self.assertIn("Annual PIE report 2026: 1 January 2026 to 31 December 2026", text)
        for name in [
            "Inclusive opportunities",
            "Working together",
            "Support and learning",
            "Governance",
            "Communications",
            "Impact",
        ]:
            self.assertIn(name, text)
        # Curated: in the report once; the records nobody chose are not.
        self.assertEqual(text.count(CURATED), 1)
        self.assertNotIn(NOT_CURATED, text)
        self.assertNotIn("<script>alert(1)</script>", text)  # the impact's own words
        self.assertIn("No example chosen yet.", text)  # the standards with none
        self.assertIn("Advisors sat on every board.", text)
        self.assertIn("No narrative written yet.", text)
        # You said, we did: the chosen reflection.
        self.assertIn("You said, we did", text)
        self.assertEqual(text.count("You asked us to explain the questions; we did."), 1)
        self.assertNotIn("I felt listened to.", text)
        # Co-produced outputs, with the advisor's credit.
        self.assertIn("Co-produced outputs", text)
        self.assertIn("Summary for the public", text)
        self.assertIn("Co-author", text)
        # Support and learning: training in the year and support budgets.
        self.assertIn("1 training course completed by 1 Public Advisor in the year", text)
        self.assertIn("Reviewing plain summaries", text)
        self.assertIn("agreed annual support budget", text)
        # Governance: management meetings with advisors and a PIE lead present.
        self.assertIn("Management Group, April", text)
        self.assertIn("1 of 1 Management Group meetings (100%), and a PIE lead at 1", text)

    def test_no_sentence_appears_twice(self) -> None:
        text = self.pdf(kind="annual", year=2026)
        # Sentences of our own words (not the running header, footer or table cells).
        sentences = [s.strip() for s in text.split(". ") if len(s.strip()) > 60]
        repeated = {s for s in sentences if sentences.count(s) > 1 and "Page " not in s}
        self.assertEqual(repeated, set())

    def test_the_equality_section_is_one_compact_table_with_one_note(self) -> None:
        text = self.pdf(kind="annual", year=2026)
        self.assertIn("Equality, diversity and inclusion", text)
        # Alice's single answer is under 5 in both groups: not a page of "fewer than 5" rows.
        self.assertLessEqual(text.count("fewer than 5"), 3)
        self.assertEqual(text.count("To protect privacy"), 1)

    def test_impacts_are_listed_in_research_stage_order(self) -> None:
        text = self.pdf(kind="annual", year=2026)
        listed = text[text.index("confidential projects left out") :]
        # Identifying comes before Design in the stage choices (alphabetically it would not).
        self.assertLess(listed.index("Identifying and prioritising"), listed.index("Design"))

    def test_the_project_report_lists_outputs_and_sorts_impacts_by_stage(self) -> None:
        text = self.pdf(kind="project", year=2026, project=self.project)
        self.assertIn("Outputs", text)
        self.assertIn("Summary for the public", text)
        self.assertIn("Alice Ashby (Co-author)", text)
        self.assertLess(text.index(NOT_CURATED), text.index("Questions reworded"))


class FinancialYearTest(AnnualEvidenceTestCase):
    def test_a_financial_year_report_asked_for_on_the_reports_page_covers_april_to_march(
        self,
    ) -> None:
        self.client.force_login(self.manager_mo)
        with mock.patch(DELAY), self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("reports:request"),
                {"kind": "annual", "year": "2025", "period_kind": "financial"},
            )
        self.assertRedirects(response, reverse("reports:home"), fetch_redirect_response=False)
        report = ReportRequest.objects.get()
        self.assertEqual((report.year, report.period_kind), (2025, "financial"))
        self.assertEqual(report_build(request_id=report.pk), "done")
        report.refresh_from_db()
        text = pdf_text(report.file.read())
        self.assertIn("Annual PIE report 2025 to 2026: 1 April 2025 to 31 March 2026", text)
        self.assertIn("financial year", text)
        # March 2026's meeting is in this financial year; April 2026's management meeting is not.
        self.assertNotIn("Management Group, April", text)
        self.assertIn("annual-2025-financial-year", report.filename)

    def test_the_reports_page_offers_calendar_or_financial_year(self) -> None:
        self.client.force_login(self.manager_mo)
        page = self.client.get(reverse("reports:home")).content.decode()
        self.assertIn("Financial year: 1 April to 31 March", page)

    def test_build_report_makes_a_financial_year_report(self) -> None:
        out = self.settings_tmp() / "annual.pdf"
        call_command(
            "build_report",
            "annual",
            "--year",
            "2026",
            "--financial-year",
            "--output",
            str(out),
            stdout=mock.Mock(),
        )
        text = pdf_text(out.read_bytes())
        self.assertIn("1 April 2026 to 31 March 2027", text)
        self.assertIn("Management Group, April", text)

    def settings_tmp(self):
        import tempfile
        from pathlib import Path

        folder = Path(tempfile.mkdtemp())
        self.addCleanup(lambda: [p.unlink() for p in folder.iterdir()] and None)
        return folder

    def test_period_labels(self) -> None:
        self.assertEqual(Period.financial_year(2025).label, "1 April 2025 to 31 March 2026")
        self.assertEqual(Period.calendar_year(2026).name, "2026")


class CurationPageTest(AnnualEvidenceTestCase):
    url = "/reports/evidence/"

    def test_sam_picks_a_record_edits_its_wording_and_the_report_shows_it(self) -> None:
        self.client.force_login(self.staff_sam)
        page = self.client.get(self.url, {"year": "2026"})
        self.assertContains(page, "Add an example")
        self.assertContains(page, f"impact:{self.other.pk}")
        add = reverse("reports:evidence-add", args=[standard("impact").pk])
        response = self.client.post(add, {"year": "2026", "source": f"impact:{self.other.pk}"})
        example = ReportExample.objects.get()
        self.assertRedirects(response, reverse("reports:evidence-example", args=[example.pk]))
        self.assertEqual(example.text, NOT_CURATED)  # starts as the record's words
        response = self.client.post(
            reverse("reports:evidence-example", args=[example.pk]),
            {"text": "Advisors chose the first questions.", "order": "1"},
        )
        self.assertEqual(response.status_code, 302)
        example.refresh_from_db()
        self.assertEqual(
            (example.text, example.updated_by),
            ("Advisors chose the first questions.", self.staff_sam),
        )
        # Chosen once: the record is no longer offered, and the same words cannot be added twice.
        page = self.client.get(self.url, {"year": "2026"})
        self.assertNotContains(page, f'value="impact:{self.other.pk}"')
        text = self.pdf(kind="annual", year=2026)
        self.assertIn("Advisors chose the first questions.", text)
        self.assertNotIn(NOT_CURATED, text)

    def test_sam_writes_and_clears_a_narrative(self) -> None:
        self.client.force_login(self.staff_sam)
        url = reverse("reports:evidence-narrative", args=[standard("governance").pk])
        self.client.post(url, {"year": "2026", "period": "financial", "text": "A good year."})
        narrative = StandardNarrative.objects.get()
        self.assertEqual((narrative.year, narrative.period_kind), (2026, "financial"))
        self.client.post(url, {"year": "2026", "period": "financial", "text": ""})
        self.assertFalse(StandardNarrative.objects.exists())

    def test_confidential_projects_are_not_offered(self) -> None:
        self.project.confidential = True
        self.project.save()
        self.client.force_login(self.staff_sam)
        page = self.client.get(self.url, {"year": "2026"})
        self.assertNotContains(page, f'value="impact:{self.other.pk}"')
        add = reverse("reports:evidence-add", args=[standard("impact").pk])
        self.client.post(add, {"year": "2026", "source": f"impact:{self.other.pk}"})
        self.assertFalse(ReportExample.objects.exists())

    def test_mo_the_manager_reads_the_choices_but_cannot_change_them(self) -> None:
        ReportExample.objects.create(year=2026, standard=standard("impact"), text=CURATED)
        self.client.force_login(self.manager_mo)
        page = self.client.get(self.url, {"year": "2026"})
        self.assertContains(page, CURATED)
        self.assertNotContains(page, "Add an example")
        add = reverse("reports:evidence-add", args=[standard("impact").pk])
        self.assertEqual(
            self.client.post(
                add, {"year": "2026", "source": f"impact:{self.other.pk}"}
            ).status_code,
            403,
        )
        self.assertEqual(ReportExample.objects.count(), 1)

    def test_advisors_researchers_and_finance_are_refused(self) -> None:
        example = ReportExample.objects.create(year=2026, standard=standard("impact"), text=CURATED)
        for user in [self.advisor_alice, self.researcher_rita, self.finance_fay]:
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(self.url).status_code, 403)
                self.assertEqual(
                    self.client.get(
                        reverse("reports:evidence-example", args=[example.pk])
                    ).status_code,
                    403,
                )
                self.assertEqual(
                    self.client.post(
                        reverse("reports:evidence-remove", args=[example.pk])
                    ).status_code,
                    403,
                )
        self.assertTrue(ReportExample.objects.exists())

    def test_the_page_runs_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.staff_sam)
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url, {"year": "2026"})
        for i in range(4):
            impact = make_impact(
                self.project,
                self.staff_sam,
                self.alice,
                kind="actual",
                what_changed=f"Change {i}",
                recorded_on=datetime.date(2026, 8, 1),
            )
            impact.standards.add(standard("impact"))
            ReportExample.objects.create(
                year=2026, standard=standard("impact"), impact=impact, text=f"Chosen {i}"
            )
        with CaptureQueriesContext(connection) as more:
            self.client.get(self.url, {"year": "2026"})
        self.assertEqual(len(more), len(few))


class ReportPagesCommandTest(AnnualEvidenceTestCase):
    def test_report_pages_writes_png_images_of_the_first_pages(self) -> None:
        import tempfile
        from io import StringIO
        from pathlib import Path

        folder = Path(tempfile.mkdtemp())
        out = StringIO()
        call_command(
            "report_pages",
            "--out",
            str(folder),
            "--year",
            "2026",
            "--pages",
            "2",
            "--dpi",
            "20",
            "--choose-demo-examples",
            stdout=out,
        )
        pngs = sorted(p.name for p in folder.glob("*.png"))
        # pdftoppm pads the page number to the width of the page count.
        self.assertEqual(len(pngs), 2)
        self.assertTrue(all(p.startswith("annual-report-page-") for p in pngs))
        self.assertTrue(all((folder / p).read_bytes().startswith(b"\x89PNG") for p in pngs))
        self.assertFalse(list(folder.glob("*.pdf")))  # only the images are kept
        # The demo chose an example and a narrative per standard, as the PIE team would.
        self.assertTrue(ReportExample.objects.filter(year=2026).exists())
        self.assertEqual(StandardNarrative.objects.filter(year=2026).count(), 6)
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()
