import logging
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ascru_pie.models import User
from ascru_pie.roles import Role
from reports import demo
from reports.figures import Period
from reports.models import PeriodKind, ReportRequest
from reports.services import render_report


class Command(BaseCommand):
    help = (
        "Build the annual report from the data in the database (run seed_demo first for the "
        "demo) and write PNG images of its first pages with pdftoppm, e.g. "
        "`manage.py report_pages --out docs/report-pages`. With --choose-demo-examples, a "
        "narrative and an example per UK Standard are first chosen as the PIE team would."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", required=True, help="the folder for the PNGs")
        parser.add_argument("--year", type=int, help="default: this year")
        parser.add_argument("--financial-year", action="store_true")
        parser.add_argument("--pages", type=int, default=3, help="how many pages (default 3)")
        parser.add_argument("--dpi", type=int, default=100)
        parser.add_argument("--choose-demo-examples", action="store_true")

    def handle(self, *args, out, year, financial_year, pages, dpi, choose_demo_examples, **o):
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        kind = PeriodKind.FINANCIAL if financial_year else PeriodKind.CALENDAR
        year = year or timezone.localdate().year
        if choose_demo_examples:
            by = User.objects.filter(groups__name=Role.PIE_TEAM).order_by("pk").first()
            if by is None:
                raise CommandError("There is no PIE team user to choose the examples.")
            demo.seed(stdout=self.stdout, by=by, period=Period.of(year, kind))
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
        pdf, count = render_report(ReportRequest(kind="annual", year=year, period_kind=kind))
        pdf_path = folder / "annual-report.pdf"
        pdf_path.write_bytes(pdf)
        for old in folder.glob("annual-report-page-*.png"):
            old.unlink()
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                str(dpi),
                "-f",
                "1",
                "-l",
                str(min(pages, count)),
                str(pdf_path),
                str(folder / "annual-report-page"),
            ],
            check=True,
        )
        pdf_path.unlink()
        written = sorted(folder.glob("annual-report-page-*.png"))
        for png in written:
            self.stdout.write(str(png))
        self.stdout.write(f"{len(written)} of {count} pages written.")
