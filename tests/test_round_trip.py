"""Export → import changes nothing, for every model the admin imports (the register and
attendance), as CSV and as XLSX (STYLE rule 10).

The files go through the admin's own export and import pages. Texts a spreadsheet would run
are quoted on the way out and the quote is taken off on the way in; CSV starts with a UTF-8
BOM so that Excel shows accented names.
"""

import datetime
import io
from decimal import Decimal

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from advisors.models import Advisor, LivedExperience, Topic
from meetings.models import Attendance
from payments.models import Claim
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory, MeetingFactory, example_rate_card, invite

FORMATS = {"csv": "0", "xlsx": "1"}


class RoundTripTestCase(BaseTestCase):
    model_name = ""

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)

    def url(self, action: str) -> str:
        return reverse(f"admin:{self.model_name}_{action}")

    def export(self, kind: str) -> bytes:
        form = self.client.get(self.url("export")).context["form"]
        columns = {
            name: "on"
            for name, field in form.fields.items()
            if name not in ("resource", "format", "export_items")
        }
        response = self.client.post(
            self.url("export"), {"format": FORMATS[kind], "resource": "0", **columns}
        )
        self.assertEqual(response.status_code, 200)
        return response.content

    def import_(self, kind: str, content: bytes):
        preview = self.client.post(
            self.url("import"),
            {
                "format": FORMATS[kind],
                "resource": "0",
                "import_file": SimpleUploadedFile(f"export.{kind}", content),
            },
        )
        self.assertIsNotNone(
            preview.context.get("confirm_form"),
            getattr(preview.context.get("result"), "problems", ""),
        )
        response = self.client.post(
            self.url("process_import"),
            {**preview.context["confirm_form"].initial, "resource": "0"},
            follow=True,
        )
        return [str(m) for m in response.context["messages"]]


class RegisterRoundTripTest(RoundTripTestCase):
    model_name = "advisors_advisor"

    def setUp(self) -> None:
        super().setUp()
        zoe = AdvisorFactory(
            email="zoe@example.org",
            first_name="Zoë",
            last_name="Ó Briain",
            phone="+44 7700 900123",
            address="1 High Street\nLeeds",
            postcode="LS1 1AA",
            contact_method="phone",
            contact_format="other",
            contact_format_other="'=already quoted",
            status="paused",
            joined_on=datetime.date(2025, 4, 3),
            pieg_member=True,
            enhanced_support=True,
            support_budget=Decimal("250.50"),
            acknowledgement="initials",
            lived_experience_detail="'Tis my own experience",
            availability=" =weekends only",
            support_needs="@ a quiet room\n-no stairs",
        )
        zoe.topics.set(Topic.objects.all()[:2])
        zoe.lived_experience.set(LivedExperience.objects.all()[:1])
        AdvisorFactory(
            email="formula@example.org", first_name='=HYPERLINK("http://x")', last_name="-1"
        )

    def snapshot(self) -> list[tuple]:
        return [
            (
                *(
                    getattr(a, f.name)
                    for f in Advisor._meta.concrete_fields
                    if f.name not in ("id",)
                ),
                tuple(a.topics.values_list("pk", flat=True).order_by("pk")),
                tuple(a.lived_experience.values_list("pk", flat=True).order_by("pk")),
            )
            for a in Advisor.objects.order_by("email")
        ]

    def test_exporting_the_register_and_importing_it_back_changes_nothing(self) -> None:
        before = self.snapshot()
        for kind in FORMATS:
            with self.subTest(kind=kind):
                content = self.export(kind)
                messages = self.import_(kind, content)
                self.assertEqual(
                    messages,
                    [
                        f"Import finished: 0 new, 0 updated, 0 deleted and {len(before)} skipped advisors."
                    ],
                )
                self.assertEqual(self.snapshot(), before)

    def test_the_csv_has_a_bom_and_formulas_quoted(self) -> None:
        content = self.export("csv")
        self.assertTrue(content.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8")
        text = content.decode("utf-8-sig")
        self.assertIn("Zoë,Ó Briain,'+44 7700 900123", text)
        self.assertIn("'=HYPERLINK", text)
        self.assertIn(",' =weekends only,", text)

    def test_the_xlsx_holds_formulas_as_quoted_text(self) -> None:
        sheet = openpyxl.load_workbook(io.BytesIO(self.export("xlsx"))).active
        cells = {c.value: c.data_type for row in sheet.iter_rows() for c in row if c.value}
        self.assertEqual(cells['\'=HYPERLINK("http://x")'], "s")
        self.assertEqual(cells["'+44 7700 900123"], "s")
        self.assertEqual(cells[datetime.datetime(2025, 4, 3)], "d")


class AttendanceRoundTripTest(RoundTripTestCase):
    model_name = "meetings_attendance"

    def setUp(self) -> None:
        super().setUp()
        example_rate_card()
        start = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC)
        meeting = MeetingFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
        invite(meeting, self.alice, self.bob)
        first = (
            "meeting_id,advisor_email,status,minutes_attended,preparation_hours\n"
            f"{meeting.pk},{self.alice.email},attended,,1.5\n"
            f"{meeting.pk},{self.bob.email},partly,45,0\n"
        )
        self.import_("csv", first.encode())

    def snapshot(self) -> tuple[list, list]:
        return (
            list(Attendance.objects.order_by("pk").values()),
            list(Claim.objects.order_by("pk").values("pk", "advisor", "amount", "status")),
        )

    def test_exporting_attendance_and_importing_it_back_changes_nothing(self) -> None:
        before = self.snapshot()
        self.assertEqual(len(before[0]), 2)
        self.assertEqual(len(before[1]), 2)
        for kind in FORMATS:
            with self.subTest(kind=kind):
                messages = self.import_(kind, self.export(kind))
                self.assertEqual(
                    messages,
                    ["Import finished: 0 new, 0 updated, 0 deleted and 2 skipped attendance."],
                )
                self.assertEqual(self.snapshot(), before)
