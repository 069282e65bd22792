"""The register import (admin) against files a real office sends, and hostile ones.

Every problem is a sentence naming the row (as the spreadsheet numbers it: the column names
are row 1) and the column; nothing is imported unless every row is good; no page shows a
traceback, a constraint name or a library's exception text.
"""

import datetime
import io
import tracemalloc
import zipfile
from collections.abc import Iterator
from decimal import Decimal

import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from advisors.models import Advisor, Topic
from tests.base import BaseTestCase

CSV, XLSX = "0", "1"
HEADER = "email,first_name,last_name,joined_on\n"

# What a user must never see: a traceback, a server path, a constraint's name, library text.
INTERNALS = (
    "Traceback",
    "site-packages",
    "File &quot;",
    "Constraint “",
    "is violated",
    "IntegrityError",
    "NOT NULL",
    "matching query",
    "import_id_fields",
    "encountered while trying to read",
    "Line number",
)

SHEET_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_CLOSE = b"</sheetData></worksheet>"


def xlsx(headers: list[str], *rows: list) -> bytes:
    return tablib.Dataset(*rows, headers=headers).export("xlsx")


def with_sheet(chunks: Iterator[bytes]) -> bytes:
    """A real workbook whose first sheet is replaced by `chunks` of XML, written as they come
    (so a gigabyte of sheet never sits in memory)."""
    workbook = xlsx(["email"], ["a@example.org"])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with target.open(item.filename, "w") as sheet:
                    for chunk in chunks:
                        sheet.write(chunk)
            else:
                target.writestr(item, source.read(item))
    return out.getvalue()


def bomb(megabytes: int) -> bytes:
    """A workbook of a few MB whose sheet unpacks to `megabytes` MB of identical rows."""
    row = b'<row><c t="inlineStr"><is><t>bomb@example.org</t></is></c></row>'
    block = row * (1024 * 1024 // len(row))

    def chunks() -> Iterator[bytes]:
        yield SHEET_OPEN
        for _ in range(megabytes):
            yield block
        yield SHEET_CLOSE

    return with_sheet(chunks())


def billion_laughs(padding: int = 0) -> bytes:
    """The entity-expansion attack: nine levels of ten, a few hundred bytes that expand to 3 GB.
    `padding` puts a comment that long before the DOCTYPE."""
    entities = [b'<!ENTITY lol0 "lol">']
    for level in range(1, 10):
        entities.append(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">'.encode())
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + (b"<!--" + b" " * padding + b"-->\n" if padding else b"")
        + b"<!DOCTYPE worksheet [\n"
        + b"\n".join(entities)
        + b"\n]>\n"
        + b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        + SHEET_CLOSE
    )
    return with_sheet(iter([xml]))


class RegisterImportTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)

    def preview(self, content: bytes | str, fmt: str = CSV, name: str | None = None):
        if isinstance(content, str):
            content = content.encode()
        name = name or ("register.xlsx" if fmt == XLSX else "register.csv")
        response = self.client.post(
            reverse("admin:advisors_advisor_import"),
            {"format": fmt, "resource": "0", "import_file": SimpleUploadedFile(name, content)},
        )
        for text in INTERNALS:
            self.assertNotContains(response, text)
        return response

    def confirm(self, preview, **extra):
        return self.client.post(
            reverse("admin:advisors_advisor_process_import"),
            {**preview.context["confirm_form"].initial, "resource": "0", **extra},
            follow=True,
        )

    def problems(self, response) -> list[str]:
        self.assertIsNone(response.context.get("confirm_form"), "nothing may be confirmed")
        return response.context["result"].problems

    def file_error(self, response) -> str:
        self.assertIsNone(response.context.get("confirm_form"), "nothing may be confirmed")
        return " ".join(response.context["form"].errors["import_file"])


class HostileFilesTest(RegisterImportTestCase):
    def test_a_workbook_that_unpacks_to_a_gigabyte_is_refused_before_it_is_opened(self) -> None:
        content = bomb(1024)
        self.assertLess(len(content), 5 * 1024 * 1024, "small enough to pass the size check")
        tracemalloc.start()
        try:
            response = self.preview(content, XLSX)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        self.assertIn(
            "The Excel file would unpack to 1024.0 MB, more than the 25.0 MB",
            self.file_error(response),
        )
        # Opening it took the server past 3 GB; refusing it holds little more than the upload.
        self.assertLess(peak, 64 * 1024 * 1024)
        self.assertFalse(Advisor.objects.filter(email="bomb@example.org").exists())

    def test_a_workbook_packed_far_tighter_than_a_spreadsheet_is_refused(self) -> None:
        # 20 MB of sheet is under the size limit, but packs 350 times: no real workbook does.
        self.assertIn(
            "times its size, far more than a real spreadsheet does",
            self.file_error(self.preview(bomb(20), XLSX)),
        )

    def test_entity_expansion_xml_is_refused(self) -> None:
        self.assertIn(
            "contains XML that spreadsheets never use (a DOCTYPE)",
            self.file_error(self.preview(billion_laughs(), XLSX)),
        )

    def test_entity_expansion_hidden_past_the_first_64_kb_is_refused_by_the_xml_parser(
        self,
    ) -> None:
        # The DOCTYPE check reads only the start of each part; expat's own limit on entity
        # amplification refuses the rest, and the user sees that the file cannot be read.
        tracemalloc.start()
        try:
            response = self.preview(billion_laughs(padding=100_000), XLSX)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        self.assertIn("The Excel file could not be read.", self.file_error(response))
        self.assertLess(peak, 64 * 1024 * 1024)

    def test_a_file_over_5_mb_is_refused_before_it_is_read(self) -> None:
        content = HEADER + "x@example.org,X,Y,\n" * 300_000
        self.assertIn(
            "larger than the 5.0 MB this import accepts", self.file_error(self.preview(content))
        )

    def test_a_damaged_workbook_or_the_wrong_format_is_said_plainly(self) -> None:
        cases = [
            (b"PK\x03\x04 not really a zip", XLSX, "The Excel file could not be read."),
            (HEADER.encode(), XLSX, "This file is not an Excel workbook (.xlsx)."),
            (xlsx(["email"], ["a@example.org"]), CSV, "This file is an Excel workbook, not a CSV"),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", XLSX, "This is an old-style Excel file (.xls)"),
        ]
        for content, fmt, message in cases:
            with self.subTest(message=message):
                self.assertIn(message, self.file_error(self.preview(content, fmt)))

    def test_a_sheet_that_claims_a_million_columns_is_read_by_its_cells(self) -> None:
        row = (
            b'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{v}</t></is></c>'
            b'<c r="B{n}" t="inlineStr"><is><t>Wide</t></is></c>'
            b'<c r="C{n}" t="inlineStr"><is><t>Sheet</t></is></c></row>'
        )
        xml = (
            SHEET_OPEN.replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>')
            + row.replace(b"{n}", b"1")
            .replace(b"{v}", b"email")
            .replace(b"Wide", b"first_name")
            .replace(b"Sheet", b"last_name")
            + row.replace(b"{n}", b"2").replace(b"{v}", b"wide@example.org")
            + SHEET_CLOSE
        )
        response = self.preview(with_sheet(iter([xml])), XLSX)
        self.assertIsNotNone(response.context.get("confirm_form"))


class EncodingsTest(RegisterImportTestCase):
    def test_a_windows_csv_with_accented_names_imports_correctly(self) -> None:
        content = (
            HEADER + "zoe@example.org,Zoë,Brontë,\nsean@example.org,Seán,Ó Briain,\n"
        ).encode("cp1252")
        self.confirm(self.preview(content))
        self.assertEqual(
            set(
                Advisor.objects.filter(
                    email__in=["zoe@example.org", "sean@example.org"]
                ).values_list("first_name", "last_name")
            ),
            {("Zoë", "Brontë"), ("Seán", "Ó Briain")},
        )

    def test_excels_csv_utf8_with_its_bom_imports(self) -> None:
        content = "\ufeff" + HEADER + "zoe@example.org,Zoë,Brontë,\n"
        self.confirm(self.preview(content.encode("utf-8")))
        self.assertEqual(Advisor.objects.get(email="zoe@example.org").first_name, "Zoë")

    def test_a_file_in_an_encoding_that_cannot_be_read_is_refused_plainly(self) -> None:
        # 0x81 is undefined in Windows-1252 and invalid in UTF-8.
        content = HEADER.encode() + b"x@example.org,\x81\x81,Y,\n"
        self.assertIn(
            "The letters in this file could not be read", self.file_error(self.preview(content))
        )


class UKDatesTest(RegisterImportTestCase):
    def test_day_month_year_iso_and_words_are_read_the_uk_way(self) -> None:
        content = HEADER + (
            "a@example.org,A,One,03/04/2025\n"
            "b@example.org,B,Two,2025-04-03\n"
            "c@example.org,C,Three,3 Apr 2025\n"
            "d@example.org,D,Four,3 April 2025\n"
            "e@example.org,E,Five,3-4-2025\n"
        )
        self.confirm(self.preview(content))
        joined = set(
            Advisor.objects.filter(
                email__endswith="@example.org",
                last_name__in=["One", "Two", "Three", "Four", "Five"],
            ).values_list("joined_on", flat=True)
        )
        self.assertEqual(joined, {datetime.date(2025, 4, 3)})

    def test_an_excel_date_cell_stays_that_date(self) -> None:
        content = xlsx(
            ["email", "first_name", "last_name", "joined_on"],
            ["cell@example.org", "Cell", "Date", datetime.datetime(2025, 4, 3)],
        )
        self.confirm(self.preview(content, XLSX))
        self.assertEqual(
            Advisor.objects.get(email="cell@example.org").joined_on, datetime.date(2025, 4, 3)
        )

    def test_ambiguous_or_impossible_dates_are_refused_naming_row_and_column(self) -> None:
        content = HEADER + (
            "a@example.org,A,One,03/04/25\n"
            "b@example.org,B,Two,31/02/2026\n"
            "c@example.org,C,Three,04/13/2025\n"
            "d@example.org,D,Four,soon\n"
            "e@example.org,E,Five,2025-04-03\n"
        )
        problems = self.problems(self.preview(content))
        self.assertEqual(
            problems,
            [
                "Row 2, column “joined_on”: “03/04/25” has a two-digit year, which could be any "
                "century: write it as DD/MM/YYYY (03/04/2025), YYYY-MM-DD or 3 Apr 2025.",
                "Row 3, column “joined_on”: “31/02/2026” is not a real date: February 2026 has "
                "28 days.",
                "Row 4, column “joined_on”: “04/13/2025” reads as month/day/year; write dates "
                "day/month/year (13/04/2025).",
                "Row 5, column “joined_on”: “soon” is not a date: write it as DD/MM/YYYY "
                "(03/04/2025), YYYY-MM-DD or 3 Apr 2025.",
            ],
        )
        self.assertFalse(Advisor.objects.filter(email="e@example.org").exists())


class OrdinarySpreadsheetsTest(RegisterImportTestCase):
    COLUMNS = [
        "email",
        "first_name",
        "last_name",
        "address",
        "contact_method",
        "status",
        "pieg_member",
        "support_budget",
        "joined_on",
        "topics",
    ]

    def test_an_xlsx_with_empty_optional_cells_imports_with_the_defaults(self) -> None:
        content = xlsx(
            self.COLUMNS,
            ["gaps@example.org", "Gap", "Py", None, None, None, None, None, None, None],
        )
        self.confirm(self.preview(content, XLSX))
        gaps = Advisor.objects.get(email="gaps@example.org")
        self.assertEqual(
            (gaps.address, gaps.contact_method, gaps.status, gaps.pieg_member, gaps.support_budget),
            ("", "email", "active", False, None),
        )

    def test_an_empty_cell_leaves_an_existing_value_as_it_is(self) -> None:
        Advisor.objects.filter(pk=self.alice.pk).update(pieg_member=True, status="paused")
        content = xlsx(
            self.COLUMNS,
            [self.alice.email, "Alice", "Ashby", None, None, None, None, None, None, None],
        )
        self.confirm(self.preview(content, XLSX))
        self.alice.refresh_from_db()
        self.assertEqual((self.alice.pieg_member, self.alice.status), (True, "paused"))

    def test_an_empty_required_cell_is_named_and_nothing_is_imported(self) -> None:
        content = xlsx(
            self.COLUMNS,
            ["ok@example.org", "Ok", "Row", None, None, None, None, None, None, None],
            ["noname@example.org", None, "Nameless", None, None, None, None, None, None, None],
        )
        self.assertEqual(
            self.problems(self.preview(content, XLSX)),
            ["Row 3, column “first_name”: it cannot be empty."],
        )
        self.assertFalse(Advisor.objects.filter(email="ok@example.org").exists())

    def test_columns_named_in_another_case_or_with_spaces_are_recognised(self) -> None:
        content = "Email,First Name,last-name,Joined On\nnia@example.org,Nia,Okoro,03/04/2025\n"
        self.confirm(self.preview(content))
        nia = Advisor.objects.get(email="nia@example.org")
        self.assertEqual((nia.first_name, nia.joined_on), ("Nia", datetime.date(2025, 4, 3)))

    def test_wrong_column_headers_are_named_plainly(self) -> None:
        response = self.preview("mail,first_name,surname\nnia@example.org,Nia,Okoro\n")
        (problem,) = self.problems(response)
        self.assertTrue(
            problem.startswith(
                "The first row names columns this import does not know: “mail”, “surname”. "
                "The columns it reads are: email, first_name, last_name,"
            ),
            problem,
        )
        response = self.preview("first_name,last_name\nNia,Okoro\n")
        self.assertEqual(
            self.problems(response),
            [
                "The file has no “email” column. Every row needs one: it is how rows are "
                "matched to the advisors already held."
            ],
        )
        response = self.preview("email,first_name,Email\nnia@example.org,Nia,x\n")
        self.assertEqual(
            self.problems(response),
            ["The column “email” appears twice in the first row (columns A and C); keep one."],
        )

    def test_a_value_in_a_column_without_a_name_is_refused(self) -> None:
        response = self.preview("email,first_name,last_name\nnia@example.org,Nia,Okoro,extra\n")
        self.assertIn(
            "Row 2 has a value in column D, which has no name in the first row",
            self.file_error(response),
        )

    def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(self) -> None:
        content = HEADER + "a@example.org,A,One,\n,,,\n\nb@example.org,,Two,\n"
        self.assertEqual(
            self.problems(self.preview(content)),
            ["Row 5, column “first_name”: it cannot be empty."],
        )

    def test_numbers_yes_no_and_topics_are_read_strictly(self) -> None:
        Topic.objects.all().delete()
        Topic.objects.create(name="Dementia")
        content = (
            "email,first_name,last_name,pieg_member,support_budget,topics\n"
            "a@example.org,A,One,maybe,,\n"
            "b@example.org,B,Two,yes,abc,\n"
            "c@example.org,C,Three,no,,Dementa\n"
        )
        self.assertEqual(
            self.problems(self.preview(content)),
            [
                "Row 2, column “pieg_member”: “maybe” is not yes or no: use yes/no, true/false "
                "or 1/0.",
                "Row 3, column “support_budget”: “abc” is not a number.",
                "Row 4, column “topics”: “Dementa” is not one of the topics: Dementia.",
            ],
        )

    def test_yes_and_pounds_are_understood(self) -> None:
        content = (
            "email,first_name,last_name,pieg_member,support_budget\n"
            'a@example.org,A,One,Yes,"£1,250.00"\n'
        )
        self.confirm(self.preview(content))
        one = Advisor.objects.get(email="a@example.org")
        self.assertEqual((one.pieg_member, one.support_budget), (True, Decimal("1250.00")))

    def test_a_database_rule_is_said_in_words_not_by_its_name(self) -> None:
        response = self.preview(
            HEADER.replace("\n", ",support_budget\n") + "n@example.org,N,Eg,,-5\n"
        )
        self.assertEqual(self.problems(response), ["Row 2: The support budget cannot be negative."])


class SamePersonTwiceTest(RegisterImportTestCase):
    def test_the_same_email_twice_is_refused_naming_both_rows(self) -> None:
        content = HEADER + (
            "nia@example.org,Nia,Okoro,\nola@example.org,Ola,Berg,\nNia@Example.org ,Nia,Smith,\n"
        )
        self.assertEqual(
            self.problems(self.preview(content)),
            [
                "Row 4: it is the same advisor as row 2 (nia@example.org). A file can hold each "
                "advisor once: merge the two rows."
            ],
        )
        self.assertFalse(Advisor.objects.filter(email="nia@example.org").exists())


class ConfirmStepTest(RegisterImportTestCase):
    def test_a_file_that_goes_bad_between_preview_and_confirm_imports_nothing(self) -> None:
        Topic.objects.all().delete()
        topic = Topic.objects.create(name="Dementia")
        preview = self.preview(
            "email,first_name,last_name,topics\nnia@example.org,Nia,O,Dementia\n"
        )
        topic.delete()
        response = self.confirm(preview)
        messages = [str(m) for m in response.context["messages"]]
        self.assertEqual(
            messages,
            [
                "Nothing was imported. Row 2, column “topics”: “Dementia” is not one of the "
                "topics: there are none yet."
            ],
        )
        self.assertFalse(Advisor.objects.filter(email="nia@example.org").exists())

    def test_confirming_twice_says_the_file_is_gone_and_imports_nothing_more(self) -> None:
        preview = self.preview(HEADER + "nia@example.org,Nia,Okoro,\n")
        self.confirm(preview)
        response = self.confirm(preview)
        self.assertIn(
            "The uploaded file is no longer on the server",
            " ".join(str(m) for m in response.context["messages"]),
        )
        self.assertEqual(Advisor.objects.filter(email="nia@example.org").count(), 1)
