"""The PIE team adds advisors and researchers, but cannot raise anyone's (or their own) access."""

from django.contrib.auth.models import Group
from django.urls import reverse

from ascru_pie.models import User
from tests.base import BaseTestCase


class UserAdminTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)

    def test_the_pie_team_cannot_make_themselves_superuser_or_finance(self) -> None:
        url = reverse("admin:ascru_pie_user_change", args=[self.staff_sam.pk])
        # Staff accounts are read-only to the PIE team: no form fields to change.
        self.assertNotContains(self.client.get(url), 'name="is_superuser"')
        finance = Group.objects.get(name="finance")
        self.client.post(url, {"username": "sam", "is_superuser": "on", "groups": [finance.pk]})
        self.staff_sam.refresh_from_db()
        self.assertFalse(self.staff_sam.is_superuser)
        self.assertFalse(self.staff_sam.groups.filter(name="finance").exists())

    def test_the_pie_team_cannot_change_a_finance_users_password(self) -> None:
        url = reverse("admin:auth_user_password_change", args=[self.finance_fay.pk])
        self.assertEqual(self.client.get(url).status_code, 403)

    def test_the_pie_team_can_edit_an_advisor_but_only_grant_advisor_or_researcher(self) -> None:
        url = reverse("admin:ascru_pie_user_change", args=[self.advisor_alice.pk])
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "is_superuser")
        offered = {g.name for g in response.context["adminform"].form.fields["groups"].queryset}
        self.assertEqual(offered, {"advisor", "researcher"})
        edi = Group.objects.get(name="edi_access")
        response = self.client.post(
            url,
            {
                "username": "alice",
                "first_name": "Alice",
                "last_name": "",
                "email": "alice@example.org",
                "is_active": "on",
                "groups": [edi.pk],
                "last_login_0": "",
                "last_login_1": "",
                "date_joined_0": "2026-01-01",
                "date_joined_1": "10:00:00",
            },
        )
        self.assertFalse(self.advisor_alice.groups.filter(name="edi_access").exists())

    def test_a_new_account_made_by_the_pie_team_has_no_password_until_invited(self) -> None:
        researcher = Group.objects.get(name="researcher")
        response = self.client.post(
            reverse("admin:ascru_pie_user_add"),
            {
                "username": "newbie",
                "first_name": "New",
                "last_name": "Researcher",
                "email": "new@example.org",
                "groups": [researcher.pk],
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:500])
        user = User.objects.get(username="newbie")
        self.assertFalse(user.has_usable_password())
        self.assertEqual([g.name for g in user.groups.all()], ["researcher"])
