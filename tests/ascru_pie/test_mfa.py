"""Two factors for staff: through the door, with a client that signs in with a password only."""

import time
from io import StringIO

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client, TransactionTestCase, override_settings
from django.urls import reverse

from ascru_pie.mfa import demo_totp_code, demo_totp_give, demo_totp_secret
from ascru_pie.models import User
from ascru_pie.roles import EDI_ACCESS_GROUP, Role
from tests.base import PASSWORD, BaseTestCase, PasswordOnlyClient, ensure_roles, make_user

PROTECTED = ["/staff/", "/admin/", "/reports/", "/impacts/"]
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def code(secret: str = SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


class SecondFactorTest(BaseTestCase):
    client_class = PasswordOnlyClient

    def sign_in(self, user: User, address: str = "10.0.0.1"):
        return self.client.post(
            reverse("login"), {"login": user.username, "password": PASSWORD}, REMOTE_ADDR=address
        )

    def test_staff_with_a_password_only_are_sent_to_set_up_an_app_from_every_staff_prefix(
        self,
    ) -> None:
        self.client.force_login(self.staff_sam)
        for path in PROTECTED:
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertRedirects(
                    response,
                    f"{reverse('mfa_activate_totp')}?next={path.replace('/', '%2F')}",
                    fetch_redirect_response=False,
                )

    def test_every_staff_role_is_made_to_use_two_factors(self) -> None:
        admin = make_user("root", is_superuser=True, is_staff=True)
        edi = make_user("edith")
        edi.groups.add(Group.objects.get(name=EDI_ACCESS_GROUP))
        for user in [self.staff_sam, self.finance_fay, self.manager_mo, admin, edi]:
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get("/reports/")
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(reverse("mfa_activate_totp")))

    def test_the_set_up_page_says_why_in_plain_english(self) -> None:
        self.sign_in(self.staff_sam)
        response = self.client.get("/staff/", follow=True)
        self.assertContains(response, "Staff accounts need two-step sign-in")
        self.assertContains(response, "Set up two-step sign-in")
        self.assertContains(response, "authenticator app")

    def test_staff_with_an_app_enter_a_code_at_sign_in_and_then_get_in(self) -> None:
        TOTP.activate(self.staff_sam, SECRET)
        response = self.sign_in(self.staff_sam)
        self.assertRedirects(response, reverse("mfa_authenticate"))
        page = self.client.get(reverse("mfa_authenticate"))
        self.assertContains(page, "Enter your code")
        # Not yet signed in: staff pages send them back to sign in.
        self.assertTrue(self.client.get("/staff/")["Location"].startswith(reverse("login")))
        response = self.client.post(reverse("mfa_authenticate"), {"code": code()})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        for path in PROTECTED:
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 200, path)

    def test_a_wrong_code_does_not_sign_in(self) -> None:
        TOTP.activate(self.staff_sam, SECRET)
        self.sign_in(self.staff_sam)
        response = self.client.post(reverse("mfa_authenticate"), {"code": "000000"})
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_staff_with_an_app_signed_in_without_it_are_asked_for_a_code(self) -> None:
        TOTP.activate(self.staff_sam, SECRET)
        self.client.force_login(self.staff_sam)
        response = self.client.get("/staff/")
        self.assertTrue(response["Location"].startswith(reverse("mfa_reauthenticate")))
        response = self.client.post(
            reverse("mfa_reauthenticate") + "?next=/staff/", {"code": code(), "next": "/staff/"}
        )
        self.assertRedirects(response, "/staff/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/staff/").status_code, 200)

    def test_advisors_are_never_made_to_use_two_factors(self) -> None:
        self.sign_in(self.advisor_alice)
        self.assertEqual(self.client.get("/portal/").status_code, 200)
        # Advisor pages under a staff prefix (feedback results) are not held back either.
        response = self.client.get("/impacts/feedback/")
        self.assertFalse(response.get("Location", "").startswith("/accounts/2fa/"))

    def test_researchers_pages_are_not_held_back(self) -> None:
        self.sign_in(self.researcher_rita)
        self.assertEqual(self.client.get("/research/").status_code, 200)

    def test_advisors_may_turn_it_on_from_the_password_page(self) -> None:
        self.sign_in(self.advisor_alice)
        response = self.client.get(reverse("password_change"))
        self.assertContains(response, f'href="{reverse("mfa_index")}"')
        response = self.client.get(reverse("mfa_index"))
        self.assertContains(response, "Turn on two-step sign-in")

    def test_the_test_suites_force_login_counts_as_two_factors(self) -> None:
        client = Client()
        client.force_login(self.staff_sam)
        self.assertEqual(client.get("/staff/").status_code, 200)


class SettingUpTest(TransactionTestCase):
    """allauth announces a new authenticator after commit: a real commit, not a test's."""

    client_class = PasswordOnlyClient

    def setUp(self) -> None:
        ensure_roles()
        self.staff_sam = make_user("sam", Role.PIE_TEAM, is_staff=True)

    def test_setting_up_the_app_lets_staff_in_at_once(self) -> None:
        self.client.post(reverse("login"), {"login": "sam", "password": PASSWORD})
        response = self.client.get("/staff/", follow=True)
        self.assertEqual(
            response.redirect_chain[-1][0], "/accounts/2fa/totp/activate/?next=%2Fstaff%2F"
        )
        self.assertEqual(response.status_code, 200)  # no second password asked
        secret = response.context["form"].secret
        response = self.client.post(reverse("mfa_activate_totp"), {"code": code(secret)})
        self.assertRedirects(response, reverse("mfa_view_recovery_codes"))
        self.assertTrue(
            Authenticator.objects.filter(user=self.staff_sam, type="recovery_codes").exists()
        )
        for path in PROTECTED:
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 200, path)


class DemoTotpTest(BaseTestCase):
    def test_demo_staff_get_a_fixed_secret_only_with_debug(self) -> None:
        with self.assertRaises(RuntimeError):
            demo_totp_give(user=self.staff_sam)
        self.assertFalse(Authenticator.objects.filter(user=self.staff_sam).exists())
        with override_settings(DEBUG=True):
            secret = demo_totp_give(user=self.staff_sam)
        self.assertEqual(secret, demo_totp_secret("sam"))
        self.assertEqual(len(demo_totp_code("sam")), 6)

    @override_settings(DEBUG=True)
    def test_seed_demo_prints_how_demo_staff_sign_in(self) -> None:
        out = StringIO()
        call_command("seed_demo", stdout=out)
        coordinator = User.objects.get(username="coordinator")
        self.assertTrue(Authenticator.objects.filter(user=coordinator, type="totp").exists())
        self.assertFalse(
            Authenticator.objects.filter(user__username="advisor", type="totp").exists()
        )
        self.assertIn(demo_totp_secret("coordinator"), out.getvalue())
        self.assertIn("demo_totp", out.getvalue())
        out = StringIO()
        call_command("demo_totp", "coordinator", stdout=out)
        self.assertRegex(out.getvalue(), r"\b\d{6}\b")

    def test_demo_totp_command_refuses_without_debug(self) -> None:
        with self.assertRaisesMessage(CommandError, "DJANGO_DEBUG=1"):
            call_command("demo_totp", "sam", stdout=StringIO())
