"""Finance's paid file against what a finance office really sends, and hostile files: the same
safe reader as every import door (ascru_pie.lib.imports), UK dates, plain messages."""

import datetime
import io
import zipfile
from decimal import Decimal

import tablib
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from payments import services
from payments.models import Claim
from tests.base import BaseTestCase

# The batch is approved on 3 April 2026, so a claim can be paid on 03/04/2026 (3 April) but
# not on 4 March, which is how the file used to read that date.
NOW = datetime.datetime(2026, 4, 3, 11, 0, tzinfo=datetime.UTC)


def workbook_with_sheet(*chunks: bytes) -> bytes:
    """A real workbook whose first sheet is replaced by the given XML."""
    workbook = tablib.Dataset(["1"], headers=["claim"]).export("xlsx")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                target.writestr(item, source.read(item))
                continue
            with target.open(item.filename, "w") as sheet:
                for chunk in chunks:
                    sheet.write(chunk)
    return out.getvalue()


def bomb(megabytes: int) -> bytes:
    row = b'<row><c t="inlineStr"><is><t>12345</t></is></c></row>'
    block = row * (1024 * 1024 // len(row))
    return workbook_with_sheet(
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
        b"<sheetData>",
        *[block] * megabytes,
        b"</sheetData></worksheet>",
    )


def billion_laughs() -> bytes:
    entities = [b'<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">'.encode() for n in range(1, 10)
    ]
    return workbook_with_sheet(
        b'<?xml version="1.0"?>\n<!DOCTYPE worksheet [' + b"".join(entities) + b"]>",
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
        b"</sheetData></worksheet>",
    )


@time_machine.travel(NOW, tick=False)
class PaidFileHostileTest(BaseTestCase):
    url = reverse("payments:paid-import")

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.finance_fay)
        self.claims = []
        for advisor, amount in ((self.alice, "40.00"), (self.bob, "12.35")):
            claim = Claim.objects.create(
                advisor=advisor,
                kind="expense",
                expense_type="travel",
                description="Train",
                activity_date=datetime.date(2026, 3, 1),
                amount=Decimal(amount),
                status="submitted",
            )
            services.claim_approve(claim=claim, by=self.staff_sam)
            self.claims.append(claim)
        batch = services.batch_build(by=self.staff_sam, claim_ids=[c.pk for c in self.claims])
        services.batch_approve(batch=batch, by=self.finance_fay)

    def preview(self, name: str, content: bytes):
        response = self.client.post(
            self.url, {"preview": "1", "file": SimpleUploadedFile(name, content)}
        )
        for text in ("Traceback", "site-packages", "UnicodeDecodeError", "BadZipFile"):
            self.assertNotContains(response, text, status_code=response.status_code)
        return response

    def file_error(self, response) -> str:
        self.assertEqual(response.status_code, 400)
        return " ".join(response.context["form"].errors["file"])

    def row_errors(self, response) -> list[str]:
        self.assertEqual(response.context["token"], "", "nothing may be confirmed")
        return [f"Line {r.line}: {r.error}" for r in response.context["errors"]]

    def test_a_zip_bomb_under_1_mb_is_refused_before_it_is_unpacked(self) -> None:
        content = bomb(300)
        self.assertLess(len(content), 1024 * 1024)
        self.assertIn(
            "The Excel file would unpack to 300.0 MB",
            self.file_error(self.preview("paid.xlsx", content)),
        )

    def test_entity_expansion_xml_is_refused(self) -> None:
        self.assertIn(
            "contains XML that spreadsheets never use",
            self.file_error(self.preview("paid.xlsx", billion_laughs())),
        )

    def test_dates_are_read_the_uk_way(self) -> None:
        # 03/04/2026 is 3 April, in every form a finance office writes it.
        a, b = self.claims
        for text in ("03/04/2026", "3/4/2026", "2026-04-03", "3 Apr 2026", "3 April 2026"):
            with self.subTest(text=text):
                content = f"claim,paid_on\n{a.pk},{text}\n"
                response = self.preview("paid.csv", content.encode())
                self.assertEqual(response.status_code, 200, response.context.get("errors"))
                self.assertEqual(
                    [r.paid_on for r in response.context["rows"]], [datetime.date(2026, 4, 3)]
                )

    def test_ambiguous_and_impossible_dates_are_refused_naming_the_line(self) -> None:
        a, b = self.claims
        content = f"claim,paid_on\n{a.pk},03/04/26\n\n{b.pk},04/13/2025\n"
        self.assertEqual(
            self.row_errors(self.preview("paid.csv", content.encode())),
            [
                "Line 2: the date “03/04/26” is not a date: use YYYY-MM-DD or DD/MM/YYYY. It "
                "has a two-digit year, which could be any century.",
                # Line 3 is blank: the lines after it keep the numbers the spreadsheet shows.
                "Line 4: the date “04/13/2025” is not a date: use YYYY-MM-DD or DD/MM/YYYY. It "
                "reads as month/day/year; write dates day/month/year (13/04/2025).",
            ],
        )
        self.assertFalse(Claim.objects.filter(status="paid").exists())

    def test_a_windows_csv_is_read_and_an_unreadable_one_refused_plainly(self) -> None:
        a, b = self.claims
        content = f"claim,paid_on,note\n{a.pk},03/04/2026,Payé à Zoë\n".encode("cp1252")
        self.assertEqual(self.preview("paid.csv", content).status_code, 200)
        self.assertIn(
            "The letters in this file could not be read",
            self.file_error(self.preview("paid.csv", b"claim,paid_on\n\x81,2026-04-03\n")),
        )

    def test_an_excel_workbook_named_csv_is_refused_plainly(self) -> None:
        content = tablib.Dataset([self.claims[0].pk, "2026-04-03"], headers=["claim", "paid_on"])
        self.assertIn(
            "This file is an Excel workbook, not a CSV file",
            self.file_error(self.preview("paid.csv", content.export("xlsx"))),
        )
