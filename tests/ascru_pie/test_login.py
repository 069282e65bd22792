from django.conf import settings
from django.urls import reverse

from tests.base import PASSWORD, BaseTestCase, PasswordOnlyClient


def sign_in(client, login: str, password: str = PASSWORD, address: str = "10.0.0.1", **extra):
    return client.post(
        reverse("login"), {"login": login, "password": password}, REMOTE_ADDR=address, **extra
    )


class LoginLandsOnRoleHomeTest(BaseTestCase):
    client_class = PasswordOnlyClient

    def test_advisors_and_researchers_land_on_their_home_after_login(self) -> None:
        for user, home in [(self.advisor_alice, "/portal/"), (self.researcher_rita, "/research/")]:
            with self.subTest(user=user.username):
                self.client.logout()
                response = sign_in(self.client, user.username, follow=True)
                self.assertEqual(response.redirect_chain[-1][0], home)
                self.assertEqual(response.status_code, 200)

    def test_staff_without_two_step_sign_in_are_asked_to_set_it_up(self) -> None:
        for user in [self.staff_sam, self.finance_fay, self.manager_mo]:
            with self.subTest(user=user.username):
                self.client.logout()
                response = sign_in(self.client, user.username, follow=True)
                self.assertEqual(
                    response.redirect_chain[-1][0].split("?")[0], reverse("mfa_activate_totp")
                )
                self.assertContains(response, "Staff accounts need two-step sign-in")

    def test_sign_in_by_email_address(self) -> None:
        response = sign_in(self.client, "Alice@Example.org", follow=True)
        self.assertEqual(response.redirect_chain[-1][0], "/portal/")

    def test_wrong_password_says_so_and_does_not_sign_in(self) -> None:
        response = sign_in(self.client, "alice", "nope")
        self.assertContains(response, "We could not sign you in", status_code=200)
        self.assertContains(response, "The username or password is not right")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_next_parameter_is_honoured(self) -> None:
        response = self.client.post(
            reverse("login") + "?next=/accounts/password/change/",
            {"login": "alice", "password": PASSWORD, "next": "/accounts/password/change/"},
        )
        self.assertRedirects(response, "/accounts/password/change/")

    def test_root_sends_anonymous_visitors_to_login(self) -> None:
        self.assertRedirects(self.client.get("/"), reverse("login"))

    def test_root_sends_signed_in_people_home(self) -> None:
        self.client.force_login(self.researcher_rita)
        self.assertRedirects(self.client.get("/"), "/research/")

    def test_person_without_a_role_is_told_to_contact_the_coordinator(self) -> None:
        self.client.force_login(self.outsider_carol)
        response = self.client.get("/", follow=True)
        self.assertContains(response, "has not been given a role", status_code=403)

    def test_logout_asks_first_on_get_and_signs_out_on_post(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.get(reverse("logout"))
        self.assertContains(response, "Do you want to sign out?")
        self.assertIn("_auth_user_id", self.client.session)
        response = self.client.post(reverse("logout"))
        self.assertRedirects(response, reverse("login"))
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_password_change_works(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.post(
            reverse("password_change"),
            {
                "oldpassword": PASSWORD,
                "password1": "a much newer pass 42",
                "password2": "a much newer pass 42",
            },
        )
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)
        self.advisor_alice.refresh_from_db()
        self.assertTrue(self.advisor_alice.check_password("a much newer pass 42"))

    def test_old_addresses_of_the_password_pages_still_work(self) -> None:
        self.assertRedirects(
            self.client.get("/accounts/password_reset/"), reverse("password_reset")
        )
        self.client.force_login(self.advisor_alice)
        self.assertRedirects(
            self.client.get("/accounts/password_change/"), reverse("password_change")
        )

    def test_nobody_can_sign_up(self) -> None:
        response = self.client.post(
            reverse("account_signup"),
            {"username": "mallory", "email": "m@example.org", "password1": "x" * 20},
        )
        self.assertContains(response, "Accounts are made for you")
        self.assertFalse(self.advisor_alice.__class__.objects.filter(username="mallory").exists())

    def test_navigation_shows_only_the_links_of_the_role(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.get("/portal/")
        self.assertContains(response, "My portal")
        self.assertNotContains(response, "Staff dashboard")
        self.assertNotContains(response, 'href="/reports/"')


class BruteForceTest(BaseTestCase):
    """30 wrong passwords for one user from one address: locked out after 5."""

    client_class = PasswordOnlyClient

    def _thirty_wrong_passwords(self) -> list[int]:
        """The attempt numbers (1-based) that were refused as 'too many'."""
        locked = []
        for attempt in range(1, 31):
            response = sign_in(self.client, "alice", f"guess {attempt}", address="203.0.113.9")
            if "Too many attempts to sign in" in response.content.decode():
                locked.append(attempt)
        return locked

    def test_locked_out_after_five_wrong_passwords_from_one_address(self) -> None:
        locked = self._thirty_wrong_passwords()
        allowed = settings.LOGIN_FAILURES_ALLOWED
        self.assertEqual(allowed, 5)
        self.assertEqual(locked, list(range(allowed + 1, 31)))
        # Even the right password is refused from that address now.
        response = sign_in(self.client, "alice", PASSWORD, address="203.0.113.9")
        self.assertContains(response, "Too many attempts to sign in")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_real_person_elsewhere_still_signs_in(self) -> None:
        self._thirty_wrong_passwords()
        response = sign_in(self.client, "alice", PASSWORD, address="198.51.100.7")
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(self.client.session["_auth_user_id"], str(self.advisor_alice.pk))

    def test_the_lock_counts_the_email_address_and_username_separately_per_address(
        self,
    ) -> None:
        self._thirty_wrong_passwords()
        # Another person at the attacker's address is not locked out either.
        response = sign_in(self.client, "bob", PASSWORD, address="203.0.113.9")
        self.assertRedirects(response, "/", fetch_redirect_response=False)
