"""The PDF reports: each kind renders the unit's figures, user text stays text, nothing is
fetched from the network, and the worker's build records done, failed and retried."""

from unittest import mock

from ascru_pie.lib import pdf as pdf_lib
from ascru_pie.lib.pdf import BlockedResource, html_to_pdf, static_only_fetcher
from impacts.models import Standard
from reports.models import ReportExample, ReportRequest
from reports.services import render_report, report_build, report_retry
from reports.tasks import report_build as report_build_task
from tests.base import BaseTestCase, pdf_pages, pdf_text
from tests.factories import ProjectFactory, small_unit

HOSTILE = "Questions reworded <script>alert(1)</script> <img src='http://example.com/x.png'>"


class ReportPdfTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        small_unit(self)

    def render(self, **fields) -> bytes:
        pdf, pages = render_report(ReportRequest(requested_by=self.staff_sam, **fields))
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertEqual(pages, pdf_pages(pdf))
        return pdf

    def test_the_annual_report_has_the_years_figures(self) -> None:
        text = pdf_text(self.render(kind="annual", year=2026))
        self.assertIn("Annual PIE report 2026", text)
        self.assertIn("£94.90", text)  # paid for activity in the year
        self.assertIn("18 days", text)  # median days from activity to payment
        self.assertIn("Over budget", text)  # £94.90 committed against £12.00
        self.assertIn("fewer than 5", text)  # equality counts are suppressed
        self.assertIn("Working together", text)
        self.assertIn("No survey responses yet.", text)
        # The impact's own words are not in the report: nobody chose it as an example.
        self.assertNotIn("<script>alert(1)</script>", text)

    def test_an_annual_report_of_an_empty_year_still_renders(self) -> None:
        text = pdf_text(self.render(kind="annual", year=2020))
        self.assertIn("Annual PIE report 2020", text)
        self.assertIn("No claims paid in the year.", text)
        self.assertIn("No example chosen yet.", text)

    def test_the_project_report_has_plan_budget_spend_impacts_and_gripp(self) -> None:
        text = pdf_text(self.render(kind="project", year=2026, project=self.project))
        self.assertIn("Care at home after hospital", text)
        self.assertIn("Advisors shape the interview questions.", text)
        # 2 advisors x 1 session x 2 h at £27.50/h
        self.assertIn("£110.00", text)
        self.assertIn("Advisory group one", text)
        self.assertIn("£94.90", text)  # spend: the meeting's time and the fare
        self.assertIn("Over budget", text)
        self.assertIn("<script>alert(1)</script>", text)
        self.assertIn("To involve advisors at every stage.", text)

    def test_a_project_without_an_approved_plan_says_so(self) -> None:
        other = ProjectFactory(title="Unplanned study")
        text = pdf_text(self.render(kind="project", year=2026, project=other))
        self.assertIn("No approved plan", text)
        self.assertIn("No impacts recorded yet.", text)

    def test_the_statement_lists_paid_claims_in_the_tax_year(self) -> None:
        text = pdf_text(self.render(kind="statement", year=2025, advisor=self.alice))
        self.assertIn("tax year 6 April 2025 to 5 April 2026", text)
        self.assertIn("Alice Ashby", text)
        self.assertIn("£82.50", text)
        self.assertIn("£94.90", text)
        self.assertIn("Bus fare to the meeting", text)
        self.assertIn("not a tax document", text)

    def test_a_statement_for_a_year_with_no_payments_says_so(self) -> None:
        text = pdf_text(self.render(kind="statement", year=2024, advisor=self.alice))
        self.assertIn("No payments in this tax year.", text)

    def test_the_certificate_is_one_page_naming_the_advisor_and_her_involvement(self) -> None:
        pdf = self.render(kind="certificate", year=2026, advisor=self.alice)
        text = pdf_text(pdf)
        self.assertEqual(pdf_pages(pdf), 1)
        self.assertIn("Certificate of involvement", text)
        self.assertIn("Alice Ashby", text)
        self.assertIn("1 meeting", text)
        self.assertIn("3 hours", text)
        self.assertIn("Care at home after hospital", text)
        self.assertIn("Introduction to research", text)
        self.assertIn("Co-author: Summary for the public", text)
        self.assertIn("ASCRU2 PIE team", text)

    def test_the_reference_letter_keeps_the_text_as_written(self) -> None:
        letter = "To whom it may concern,\n\nAlice <b>shaped</b> our questions & more.\n\nYours faithfully,"
        text = pdf_text(self.render(kind="reference", advisor=self.alice, letter_text=letter))
        self.assertIn("Alice <b>shaped</b> our questions & more.", text)
        self.assertIn("Reference for Alice Ashby", text)


class PdfSafetyTest(BaseTestCase):
    """User text is escaped, and the PDF renderer never reaches the network or the disk."""

    def setUp(self) -> None:
        super().setUp()
        small_unit(self)

    def test_user_text_is_escaped_in_the_html_of_every_report(self) -> None:
        # The annual report shows only chosen examples: choose the impact, in its own words.
        ReportExample.objects.create(
            year=2026,
            standard=Standard.objects.get(code="impact"),
            impact=self.impact,
            text=self.impact.what_changed,
        )
        kinds = [
            {"kind": "annual", "year": 2026},
            {"kind": "project", "year": 2026, "project": self.project},
            {"kind": "reference", "advisor": self.alice, "letter_text": HOSTILE},
        ]
        for fields in kinds:
            with (
                self.subTest(kind=fields["kind"]),
                mock.patch.object(pdf_lib, "html_to_pdf", return_value=(b"%PDF", 1)) as to_pdf,
            ):
                render_report(ReportRequest(requested_by=self.staff_sam, **fields))
                html = to_pdf.call_args.args[0]
                self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
                self.assertNotIn("<script>", html)
                self.assertNotIn("<img src='http", html)

    def spy_on_fetches(self):
        """Record every URL WeasyPrint asks the fetcher for (the real fetch still runs)."""
        fetch = pdf_lib.StaticOnlyFetcher.fetch
        return mock.patch.object(
            pdf_lib.StaticOnlyFetcher, "fetch", autospec=True, side_effect=fetch
        )

    def test_a_report_fetches_only_our_own_static_files(self) -> None:
        with self.spy_on_fetches() as fetch:
            render_report(ReportRequest(kind="annual", year=2026))
        self.assertEqual({c.args[1] for c in fetch.call_args_list}, {"static:/css/pdf.css"})

    def test_the_fetcher_refuses_anything_but_static_files(self) -> None:
        for url in [
            "http://example.com/x.png",
            "https://example.com/a.css",
            "file:///etc/passwd",
            "data:text/css,body{}",
            "static:/../../manage.py",
            "static:/%2e%2e/%2e%2e/manage.py",
        ]:
            with self.subTest(url=url), self.assertRaises(BlockedResource):
                static_only_fetcher(url)
        self.assertEqual(static_only_fetcher("static:/css/pdf.css").content_type, "text/css")

    def test_a_remote_image_is_skipped_without_failing_the_pdf_or_using_the_network(self) -> None:
        html = '<p>Before</p><img src="http://example.com/x.png" alt=""><p>After</p>'
        with (
            mock.patch(
                "socket.create_connection", side_effect=AssertionError("the network was used")
            ),
            self.spy_on_fetches() as fetch,
            self.assertLogs("weasyprint", level="WARNING") as logs,
        ):
            pdf, pages = html_to_pdf(html)
        self.assertEqual(pages, 1)
        self.assertIn("Before After", pdf_text(pdf))
        self.assertEqual([c.args[1] for c in fetch.call_args_list], ["http://example.com/x.png"])
        self.assertIn("BlockedResource", "\n".join(logs.output))


class ReportBuildTest(BaseTestCase):
    """reports.services.report_build: what the worker runs for each queued request."""

    def setUp(self) -> None:
        super().setUp()
        small_unit(self)
        self.request = ReportRequest.objects.create(
            kind="annual", year=2026, requested_by=self.manager_mo
        )

    def test_building_a_queued_request_saves_the_pdf(self) -> None:
        self.assertEqual(report_build(request_id=self.request.pk), "done")
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, ReportRequest.Status.DONE)
        self.assertIsNotNone(self.request.finished_at)
        with self.request.file.open("rb") as fh:
            pdf = fh.read()
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertIn("£94.90", pdf_text(pdf))
        self.assertGreaterEqual(self.request.pages, 1)
        self.assertEqual(self.request.pages, pdf_pages(pdf))

    def test_the_task_builds_the_request_once_however_often_it_is_delivered(self) -> None:
        # What a worker runs: the task itself, with the id it was enqueued with.
        self.assertEqual(report_build_task(self.request.pk), "done")
        self.assertEqual(report_build_task(self.request.pk), "skipped")
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, ReportRequest.Status.DONE)

    def test_building_twice_builds_once(self) -> None:
        self.assertEqual(report_build(request_id=self.request.pk), "done")
        self.assertEqual(report_build(request_id=self.request.pk), "skipped")

    def test_a_failed_build_records_why_and_a_retry_builds_it(self) -> None:
        with mock.patch("reports.services.render_report", side_effect=ValueError("no data")):
            self.assertEqual(report_build(request_id=self.request.pk), "failed")
        self.request.refresh_from_db()
        self.assertEqual(
            (self.request.status, self.request.error), ("failed", "ValueError: no data")
        )
        self.assertFalse(self.request.file)

        with (
            mock.patch("reports.tasks.report_build.delay") as delay,
            self.captureOnCommitCallbacks(execute=True),
        ):
            retried = report_retry(request=self.request, by=self.manager_mo)
        self.assertEqual((retried.status, retried.error), ("queued", ""))
        delay.assert_called_once_with(self.request.pk)

        self.assertEqual(report_build(request_id=self.request.pk), "done")
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, "done")
        self.assertTrue(self.request.file)
