"""The admin's import and export need the model's permissions, not just a way into the admin.

Import needs add and change on the model; export needs view. Tested per role on every admin
that imports or exports (the register and attendance).
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from advisors.models import Advisor
from tests.base import BaseTestCase, make_user

REGISTER_CSV = "first_name,last_name,email\nMallory,Moved,alice@example.org\n"


class ImportExportPermissionTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # A staff account with no permissions at all.
        self.nobody = make_user("nobody", is_staff=True)

    def import_register(self, user):
        self.client.force_login(user)
        return self.client.post(
            reverse("admin:advisors_advisor_import"),
            {
                "format": "0",
                "resource": "0",
                "import_file": SimpleUploadedFile("register.csv", REGISTER_CSV.encode()),
            },
        )

    def test_only_the_pie_team_may_import_the_register(self) -> None:
        for user, allowed in [
            (self.staff_sam, True),
            (self.finance_fay, False),
            (self.nobody, False),
        ]:
            with self.subTest(user=user.username):
                response = self.import_register(user)
                if allowed:
                    self.assertEqual(response.status_code, 200)
                    self.assertIn("result", response.context)
                else:
                    self.assertEqual(response.status_code, 403)
        # A refused import changed nobody.
        self.assertFalse(Advisor.objects.filter(last_name="Moved").exists())

    def test_the_import_page_itself_is_refused_without_permission(self) -> None:
        for user, status in [(self.staff_sam, 200), (self.finance_fay, 403), (self.nobody, 403)]:
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(reverse("admin:meetings_attendance_import"))
                self.assertEqual(response.status_code, status)

    def test_export_needs_view_permission(self) -> None:
        cases = [
            ("admin:meetings_attendance_export", self.staff_sam, 200),
            ("admin:meetings_attendance_export", self.finance_fay, 403),
            ("admin:meetings_attendance_export", self.nobody, 403),
            ("admin:advisors_advisor_export", self.nobody, 403),
        ]
        for url, user, status in cases:
            with self.subTest(url=url, user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(reverse(url)).status_code, status)
