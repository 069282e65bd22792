"""`manage.py build_report`: builds a PDF now, without the worker, and explains bad arguments."""

import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.utils import timezone

from reports.models import ReportRequest
from tests.base import BaseTestCase, pdf_pages, pdf_text
from tests.factories import small_unit


class BuildReportCommandTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        small_unit(self)
        self.tmp = Path(tempfile.mkdtemp(prefix="build-report-"))

    def build(self, *args: str) -> tuple[bytes, str]:
        out = StringIO()
        output = self.tmp / "report.pdf"
        call_command("build_report", *args, "--output", str(output), stdout=out)
        return output.read_bytes(), out.getvalue()

    def test_each_kind_is_written_to_the_output_file(self) -> None:
        cases = [
            (["annual", "--year", "2026"], "Annual PIE report 2026"),
            (["project", "--project", str(self.project.pk)], "Care at home after hospital"),
            (["statement", "--advisor", str(self.alice.pk), "--year", "2025"], "£94.90"),
            (["certificate", "--advisor", str(self.alice.pk)], "Certificate of involvement"),
        ]
        for args, expected in cases:
            with self.subTest(kind=args[0]):
                pdf, printed = self.build(*args)
                self.assertTrue(pdf.startswith(b"%PDF"))
                self.assertIn(expected, pdf_text(pdf))
                pages = pdf_pages(pdf)
                self.assertIn(f"report.pdf ({pages} page", printed)
                self.assertRegex(printed, r"\d+\.\d s\)")

    def test_the_annual_report_defaults_to_this_year(self) -> None:
        pdf, _ = self.build("annual")
        self.assertIn(f"Annual PIE report {timezone.localdate().year}", pdf_text(pdf))

    def test_nothing_is_saved(self) -> None:
        self.build("annual", "--year", "2026")
        self.assertFalse(ReportRequest.objects.exists())

    def test_bad_arguments_are_explained(self) -> None:
        output = str(self.tmp / "x.pdf")
        cases = [
            (["annual"], "Give --output FILE"),
            (["project", "--output", output], "A project report needs --project ID."),
            (
                ["project", "--project", "999999", "--output", output],
                "There is no project with id 999999.",
            ),
            (["statement", "--output", output], "A statement needs --advisor ID."),
            (
                ["certificate", "--advisor", "999999", "--output", output],
                "There is no advisor with id 999999.",
            ),
            (
                ["annual", "--advisor", str(self.alice.pk), "--output", output],
                "--advisor is only for",
            ),
            (
                ["annual", "--project", str(self.project.pk), "--output", output],
                "--project is only for",
            ),
            (["annual", "--year", "1999", "--output", output], "Choose a year between 2000 and"),
            (["annual", "--output", str(self.tmp / "missing" / "x.pdf")], "does not exist"),
            (["reference", "--output", output], "A reference needs --advisor ID."),
            (["summary", "--output", output], "invalid choice: 'summary'"),
        ]
        for args, message in cases:
            with self.subTest(args=args), self.assertRaisesMessage(CommandError, message):
                call_command("build_report", *args, stdout=StringIO())
        self.assertFalse((self.tmp / "x.pdf").exists())
