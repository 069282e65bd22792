"""The admin's import and export pages speak plain English to a coordinator (issue 15): no
"import_id_fields", "NON FIELD SPECIFIC" or "'ParseError' encountered", and a bad date is
said as "Row 3 …: the date … is not a real date"."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.base import BaseTestCase

CSV, XLSX = "0", "1"
JARGON = (
    "import_id_fields",
    "NON FIELD SPECIFIC",
    "Non field specific",
    "encountered while trying to read",
    "ParseError",
    "Line number",
    "This importer will import the following fields",
    "Traceback",
)


class ImportPlainWordsTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)
        self.url = reverse("admin:advisors_advisor_import")

    def upload(self, content: bytes, fmt: str = CSV, name: str = "register.csv"):
        response = self.client.post(
            self.url,
            {"format": fmt, "resource": "0", "import_file": SimpleUploadedFile(name, content)},
        )
        self.assert_plain(response)
        return response

    def assert_plain(self, response) -> None:
        for text in JARGON:
            self.assertNotContains(response, text)

    def test_the_import_page_explains_the_file_in_words(self) -> None:
        response = self.client.get(self.url)
        self.assert_plain(response)
        self.assertContains(response, "whose first row names its columns")
        self.assertContains(response, "<li>email</li>", html=True)

    def test_an_impossible_date_is_named_with_its_row(self) -> None:
        response = self.upload(
            b"email,first_name,last_name,joined_on\n"
            b"a@example.org,Ann,Able,01/02/2025\n"
            b"b@example.org,Ben,Bold,31/02/2025\n"
        )
        problems = " ".join(response.context["result"].problems)
        self.assertIn("Row 3", problems)
        self.assertIn("31/02/2025", problems)
        self.assertIn("not a real date", problems)
        self.assertContains(response, "Nothing was imported")

    def test_a_damaged_workbook_is_said_plainly(self) -> None:
        response = self.upload(b"not a workbook at all", fmt=XLSX, name="register.xlsx")
        self.assertContains(response, "This file is not an Excel workbook (.xlsx).")

    def test_the_preview_says_nothing_is_saved_yet(self) -> None:
        response = self.upload(b"email,first_name,last_name\nc@example.org,Cat,Cole\n")
        self.assertIsNotNone(response.context.get("confirm_form"))
        self.assertContains(response, "Nothing has been saved yet.")

    def test_the_export_page_lists_columns_in_words(self) -> None:
        response = self.client.get(reverse("admin:advisors_advisor_export"))
        self.assert_plain(response)
        self.assertNotContains(response, "This exporter will export the following fields")
