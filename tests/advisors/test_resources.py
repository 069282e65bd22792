"""Importing the register from CSV through the admin: preview first, all or nothing."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from advisors.models import Advisor
from tests.base import BaseTestCase

HEADER = "email,first_name,last_name,contact_method,contact_format,status,pieg_member,support_budget,lived_experience,topics\n"
GOOD = HEADER + (
    "nia@example.org,Nia,Okoro,email,standard,active,1,,unpaid_carer;uses_care,Care homes;Dementia\n"
    "ola@example.org,Ola,Berg,Phone,Large print,paused,0,250.00,former_carer,\n"
)
BAD = HEADER + (
    "nia@example.org,Nia,Okoro,email,standard,active,1,,unpaid_carer,\n"
    "zed@example.org,Zed,Ray,carrier pigeon,standard,active,0,,unpaid_carer,\n"
)


class AdvisorImportTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)

    def preview(self, content: str):
        return self.client.post(
            reverse("admin:advisors_advisor_import"),
            {
                "format": "0",
                "resource": "0",
                "import_file": SimpleUploadedFile("register.csv", content.encode()),
            },
        )

    def confirm(self, preview_response):
        form = preview_response.context["confirm_form"]
        return self.client.post(
            reverse("admin:advisors_advisor_process_import"), {**form.initial, "resource": "0"}
        )

    def test_a_file_with_one_bad_row_changes_nothing_and_names_the_row(self) -> None:
        before = Advisor.objects.count()
        response = self.preview(BAD)
        self.assertContains(response, "carrier pigeon")
        self.assertContains(response, "is not one of: email, phone, post")
        self.assertIsNone(response.context.get("confirm_form"))
        self.assertEqual(Advisor.objects.count(), before)
        self.assertFalse(Advisor.objects.filter(email="nia@example.org").exists())

    def test_a_good_file_previews_then_imports(self) -> None:
        before = Advisor.objects.count()
        response = self.preview(GOOD)
        self.assertEqual(Advisor.objects.count(), before, "the preview must not save")
        self.assertIsNotNone(response.context["confirm_form"])
        self.confirm(response)
        nia = Advisor.objects.get(email="nia@example.org")
        self.assertTrue(nia.pieg_member)
        self.assertEqual(
            sorted(nia.lived_experience.values_list("code", flat=True)),
            ["unpaid_carer", "uses_care"],
        )
        self.assertEqual(
            sorted(nia.topics.values_list("name", flat=True)), ["Care homes", "Dementia"]
        )
        ola = Advisor.objects.get(email="ola@example.org")
        self.assertEqual(
            (ola.contact_method, ola.contact_format, ola.status), ("phone", "large_print", "paused")
        )
        self.assertEqual(str(ola.support_budget), "250.00")

    def test_importing_the_same_file_twice_does_not_duplicate(self) -> None:
        self.confirm(self.preview(GOOD))
        self.confirm(self.preview(GOOD))
        self.assertEqual(
            Advisor.objects.filter(email__in=["nia@example.org", "ola@example.org"]).count(), 2
        )

    def test_a_row_saying_someone_has_left_switches_their_login_off(self) -> None:
        row = "alice@example.org,Alice,Ashby,email,standard,left,0,,,\n"
        self.confirm(self.preview(HEADER + row))
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.status, Advisor.Status.LEFT)
        self.advisor_alice.refresh_from_db()
        self.assertFalse(self.advisor_alice.is_active)

    def test_a_row_without_email_is_refused(self) -> None:
        response = self.preview(HEADER + ",No,Email,email,standard,active,0,,,\n")
        self.assertContains(response, "Every row needs an email address")
        self.assertIsNone(response.context.get("confirm_form"))

    def test_a_negative_support_budget_is_refused(self) -> None:
        response = self.preview(HEADER + "neg@example.org,Neg,Ative,email,standard,active,0,-5,,\n")
        self.assertIsNone(response.context.get("confirm_form"))
        self.assertFalse(Advisor.objects.filter(email="neg@example.org").exists())
