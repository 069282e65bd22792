"""The attendance import (admin, which pays for what it records) against ordinary office files
and hostile ones: the same safe reader and plain problems as every import door."""

import datetime
import io
import zipfile
from decimal import Decimal

import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings.models import Attendance
from payments.models import Claim
from tests.base import BaseTestCase
from tests.factories import MeetingFactory, example_rate_card, invite

CSV, XLSX = "0", "1"
COLUMNS = ["meeting_id", "advisor_email", "status", "minutes_attended", "preparation_hours"]
INTERNALS = ("Traceback", "site-packages", "Constraint “", "is violated", "matching query")


def bomb(megabytes: int) -> bytes:
    """A workbook whose sheet unpacks to `megabytes` MB of identical rows."""
    workbook = tablib.Dataset(["x"], headers=["meeting_id"]).export("xlsx")
    row = b'<row><c t="inlineStr"><is><t>1</t></is></c></row>'
    block = row * (1024 * 1024 // len(row))
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
                sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/')
                sheet.write(b'2006/main"><sheetData>')
                for _ in range(megabytes):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


class AttendanceImportHostileTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        example_rate_card()
        start = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC)
        self.meeting = MeetingFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
        invite(self.meeting, self.alice, self.bob)
        self.client.force_login(self.staff_sam)

    def preview(self, content: bytes | str, fmt: str = CSV):
        if isinstance(content, str):
            content = content.encode()
        name = "attendance.xlsx" if fmt == XLSX else "attendance.csv"
        response = self.client.post(
            reverse("admin:meetings_attendance_import"),
            {"format": fmt, "resource": "0", "import_file": SimpleUploadedFile(name, content)},
        )
        for text in INTERNALS:
            self.assertNotContains(response, text)
        return response

    def confirm(self, preview):
        return self.client.post(
            reverse("admin:meetings_attendance_process_import"),
            {**preview.context["confirm_form"].initial, "resource": "0"},
        )

    def problems(self, response) -> list[str]:
        self.assertIsNone(response.context.get("confirm_form"), "nothing may be confirmed")
        return response.context["result"].problems

    def csv(self, *rows: str) -> str:
        return ",".join(COLUMNS) + "\n" + "".join(r + "\n" for r in rows)

    def test_a_zip_bomb_is_refused_at_the_attendance_door_too(self) -> None:
        response = self.preview(bomb(200), XLSX)
        self.assertIsNone(response.context.get("confirm_form"))
        self.assertIn(
            "would unpack to 200.0 MB", " ".join(response.context["form"].errors["import_file"])
        )

    def test_the_same_advisor_twice_for_a_meeting_is_refused_naming_both_rows(self) -> None:
        m = self.meeting.pk
        content = self.csv(
            f"{m},{self.alice.email},attended,,1",
            f"{m},{self.bob.email},attended,,0",
            f"{m},{self.alice.email.upper()},absent,,0",
        )
        self.assertEqual(
            self.problems(self.preview(content)),
            [
                f"Row 4: it is the same attendance as row 2 (meeting {m}, {self.alice.email}). "
                "A file can hold each attendance once: merge the two rows."
            ],
        )
        self.assertFalse(Attendance.objects.exists())
        self.assertFalse(Claim.objects.exists())

    def test_an_unknown_meeting_or_advisor_and_a_broken_rule_are_said_plainly(self) -> None:
        m = self.meeting.pk
        content = self.csv(
            f"999999,{self.alice.email},attended,,0",
            f"{m},nobody@example.org,attended,,0",
            f"{m},{self.bob.email},partly,0,0",
            f"{m},{self.alice.email},partly,2.5,0",
        )
        self.assertEqual(
            self.problems(self.preview(content)),
            [
                "Row 2, column “meeting_id”: there is no meeting “999999”.",
                "Row 3, column “advisor_email”: there is no advisor “nobody@example.org”.",
                "Row 4: Partial attendance needs the minutes attended.",
                "Row 5, column “minutes_attended”: “2.5” is not a whole number.",
            ],
        )

    def test_wrong_headers_are_named_and_nothing_is_imported(self) -> None:
        response = self.preview(f"meeting,email,status\n{self.meeting.pk},{self.alice.email},x\n")
        (problem,) = self.problems(response)
        self.assertTrue(
            problem.startswith(
                "The first row names columns this import does not know: “meeting”, “email”."
            ),
            problem,
        )

    def test_an_xlsx_with_empty_optional_cells_records_and_pays(self) -> None:
        content = tablib.Dataset(
            [self.meeting.pk, self.alice.email, "Attended", None, None],
            [self.meeting.pk, self.bob.email, "absent", None, None],
            headers=COLUMNS,
        ).export("xlsx")
        self.confirm(self.preview(content, XLSX))
        self.assertEqual(
            dict(Attendance.objects.values_list("advisor__first_name", "preparation_hours")),
            {"Alice": Decimal("0.00"), "Bob": Decimal("0.00")},
        )
        self.assertEqual(
            list(Claim.objects.values_list("advisor__first_name", "amount")),
            [("Alice", Decimal("55.00"))],
        )
