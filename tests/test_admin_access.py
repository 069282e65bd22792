"""The Django admin: staff roles get in, the others do not."""

from django.urls import reverse

from tests.base import BaseTestCase


class AdminAccessTest(BaseTestCase):
    def test_pie_team_opens_the_admin_and_the_register(self) -> None:
        self.client.force_login(self.staff_sam)
        self.assertEqual(self.client.get(reverse("admin:index")).status_code, 200)
        self.assertEqual(
            self.client.get(reverse("admin:advisors_advisor_changelist")).status_code, 200
        )

    def test_pie_team_cannot_edit_users_groups_beyond_their_permissions(self) -> None:
        self.client.force_login(self.staff_sam)
        self.assertEqual(self.client.get(reverse("admin:auth_group_changelist")).status_code, 403)

    def test_non_staff_roles_are_sent_to_admin_login(self) -> None:
        for user in (
            self.advisor_alice,
            self.researcher_rita,
            self.manager_mo,
            self.outsider_carol,
        ):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(reverse("admin:index"))
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("admin:login"), response.url)

    def test_finance_sees_rates_but_not_the_project_admin(self) -> None:
        self.client.force_login(self.finance_fay)
        self.assertEqual(
            self.client.get(reverse("admin:rates_ratecard_changelist")).status_code, 200
        )
        self.assertEqual(
            self.client.get(reverse("admin:projects_project_changelist")).status_code, 403
        )
