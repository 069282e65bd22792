import logging
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from advisors.models import Advisor
from projects.models import Project
from reports.models import PeriodKind, ReportRequest
from reports.services import Referee, referee_default, reference_draft, render_report

KINDS = [
    ReportRequest.Kind.ANNUAL,
    ReportRequest.Kind.PROJECT,
    ReportRequest.Kind.STATEMENT,
    ReportRequest.Kind.CERTIFICATE,
    ReportRequest.Kind.REFERENCE,
]


class Command(BaseCommand):
    help = (
        "Build a PDF report now, without the worker, and write it to --output. "
        "annual: the calendar year (--year, default this year), or with --financial-year the "
        "year from 1 April of --year to 31 March. project: --project ID. "
        "statement: --advisor ID, for the tax year starting 6 April of --year (default: the tax "
        "year running today). certificate: --advisor ID (refused for an advisor with no "
        "involvement). reference: --advisor ID and --letter FILE, the letter's text (start from "
        "--write-draft FILE), signed by --referee-name, --referee-role and --referee-contact "
        "(default: the unit's contact details); refused while a [note in square brackets] is "
        "still in it. Nothing is saved in the database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=[str(k) for k in KINDS])
        parser.add_argument("--year", type=int)
        parser.add_argument(
            "--financial-year",
            action="store_true",
            help="annual: 1 April of --year to 31 March the year after",
        )
        parser.add_argument("--project", type=int, help="project id (project report)")
        parser.add_argument("--advisor", type=int, help="advisor id (statement, certificate)")
        parser.add_argument("--output", help="where to write the PDF")
        parser.add_argument("--letter", help="reference: a text file with the letter")
        parser.add_argument(
            "--write-draft", help="reference: write the draft letter to this file and stop"
        )
        parser.add_argument("--referee-name", default="", help="reference: who gives it")
        parser.add_argument("--referee-role", default="", help="reference: their role")
        parser.add_argument(
            "--referee-contact", default="", help="reference: how to reach them (\\n between lines)"
        )

    def handle(
        self,
        *args,
        kind: str,
        year: int | None,
        project: int | None,
        advisor: int | None,
        output: str | None,
        financial_year: bool = False,
        letter: str | None = None,
        write_draft: str | None = None,
        referee_name: str = "",
        referee_role: str = "",
        referee_contact: str = "",
        **options,
    ) -> None:
        if kind == ReportRequest.Kind.REFERENCE and write_draft:
            advisor_obj = Advisor.objects.filter(pk=advisor).first() if advisor else None
            if advisor_obj is None:
                raise CommandError("A reference needs --advisor ID of an advisor who exists.")
            Path(write_draft).write_text(reference_draft(advisor=advisor_obj) + "\n")
            self.stdout.write(
                f"{write_draft}: the draft. Replace the note in square brackets, then run again "
                f"with --letter {write_draft}."
            )
            return
        if not output:
            raise CommandError("Give --output FILE: where to write the PDF.")
        out = Path(output)
        if not out.parent.is_dir():
            raise CommandError(f"The folder {out.parent} does not exist.")

        today = timezone.localdate()
        if year is None:
            # A statement's year is the tax year that starts on 6 April of that year.
            before_6_april = (today.month, today.day) < (4, 6)
            year = (
                today.year - 1
                if kind == ReportRequest.Kind.STATEMENT and before_6_april
                else today.year
            )
        if not 2000 <= year <= today.year + 1:
            raise CommandError(f"Choose a year between 2000 and {today.year + 1}.")

        project_obj = advisor_obj = None
        if kind == ReportRequest.Kind.PROJECT:
            if project is None:
                raise CommandError("A project report needs --project ID.")
            project_obj = Project.objects.filter(pk=project).first()
            if project_obj is None:
                raise CommandError(f"There is no project with id {project}.")
        elif project is not None:
            raise CommandError(f"--project is only for project reports, not {kind}.")
        if kind in (
            ReportRequest.Kind.STATEMENT,
            ReportRequest.Kind.CERTIFICATE,
            ReportRequest.Kind.REFERENCE,
        ):
            if advisor is None:
                raise CommandError(f"A {kind} needs --advisor ID.")
            advisor_obj = Advisor.objects.filter(pk=advisor).first()
            if advisor_obj is None:
                raise CommandError(f"There is no advisor with id {advisor}.")
        elif advisor is not None:
            raise CommandError(
                f"--advisor is only for statements, certificates and references, not {kind}."
            )
        letter_text = ""
        if kind == ReportRequest.Kind.REFERENCE:
            if not letter:
                raise CommandError(
                    "A reference needs --letter FILE with the letter's text. To start from the "
                    "draft, run it with --write-draft FILE first."
                )
            try:
                letter_text = Path(letter).read_text()
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"Cannot read the letter {letter}: {exc}") from exc
            if not letter_text.strip():
                raise CommandError(f"The letter {letter} is empty.")

        # WeasyPrint logs each step at INFO (some on import); the command prints its own summary.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

        if financial_year and kind != ReportRequest.Kind.ANNUAL:
            raise CommandError(f"--financial-year is only for annual reports, not {kind}.")
        period_kind = PeriodKind.FINANCIAL if financial_year else PeriodKind.CALENDAR

        # Unsaved: the templates use kind, year, project and advisor, never requested_by.
        referee = {}
        if kind == ReportRequest.Kind.REFERENCE:
            default = referee_default(user=None)
            referee = Referee(
                name=referee_name or default.name,
                role=referee_role or default.role,
                contact=referee_contact.replace("\\n", "\n") or default.contact,
            ).as_fields()
        request = ReportRequest(
            kind=kind,
            year=year,
            period_kind=period_kind,
            project=project_obj,
            advisor=advisor_obj,
            letter_text=letter_text,
            **referee,
        )
        started = time.monotonic()
        try:
            pdf, pages = render_report(request)
        except ValidationError as exc:  # a placeholder left in, a certificate of nothing
            raise CommandError(" ".join(exc.messages)) from exc
        seconds = time.monotonic() - started
        out.write_bytes(pdf)
        self.stdout.write(f"{out} ({pages} page{'s' if pages != 1 else ''}, {seconds:.1f} s)")
