from django.urls import reverse

from tests.base import PASSWORD, BaseTestCase


class LoginLandsOnRoleHomeTest(BaseTestCase):
    def test_each_role_lands_on_its_home_after_login(self) -> None:
        cases = [
            (self.staff_sam, "/staff/"),
            (self.finance_fay, "/staff/"),
            (self.advisor_alice, "/portal/"),
            (self.researcher_rita, "/research/"),
            (self.manager_mo, "/reports/"),
        ]
        for user, home in cases:
            with self.subTest(user=user.username):
                self.client.logout()
                response = self.client.post(
                    reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True
                )
                self.assertEqual(response.redirect_chain[-1][0], home)
                self.assertEqual(response.status_code, 200)

    def test_wrong_password_says_so_and_does_not_sign_in(self) -> None:
        response = self.client.post(reverse("login"), {"username": "alice", "password": "nope"})
        self.assertContains(response, "We could not sign you in", status_code=200)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_next_parameter_is_honoured(self) -> None:
        response = self.client.post(
            reverse("login") + "?next=/accounts/password_change/",
            {"username": "alice", "password": PASSWORD, "next": "/accounts/password_change/"},
        )
        self.assertRedirects(response, "/accounts/password_change/")

    def test_root_sends_anonymous_visitors_to_login(self) -> None:
        self.assertRedirects(self.client.get("/"), reverse("login"))

    def test_root_sends_signed_in_people_home(self) -> None:
        self.client.force_login(self.manager_mo)
        self.assertRedirects(self.client.get("/"), "/reports/")

    def test_person_without_a_role_is_told_to_contact_the_coordinator(self) -> None:
        self.client.force_login(self.outsider_carol)
        response = self.client.get("/", follow=True)
        self.assertContains(response, "has not been given a role", status_code=403)

    def test_logout_is_post_only_and_signs_out(self) -> None:
        self.client.force_login(self.advisor_alice)
        self.assertEqual(self.client.get(reverse("logout")).status_code, 405)
        response = self.client.post(reverse("logout"))
        self.assertRedirects(response, reverse("login"))
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_password_change_works(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "a much newer pass 42",
                "new_password2": "a much newer pass 42",
            },
        )
        self.assertRedirects(response, reverse("password_change_done"))
        self.advisor_alice.refresh_from_db()
        self.assertTrue(self.advisor_alice.check_password("a much newer pass 42"))

    def test_navigation_shows_only_the_links_of_the_role(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.get("/portal/")
        self.assertContains(response, "My portal")
        self.assertNotContains(response, "Staff dashboard")
        self.assertNotContains(response, 'href="/reports/"')
