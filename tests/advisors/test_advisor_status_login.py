"""Status means something at the sign-in door (issue 14): a Left advisor cannot sign in, and is
told so plainly; their open sessions stop working; Paused advisors keep their access; coming
back switches the login on again. The admin's status changes (form and bulk actions) all go
through advisors.services.advisor_set_status."""

from django.urls import reverse

from advisors.models import Advisor
from advisors.services import advisor_set_status
from tests.base import PASSWORD, BaseTestCase, PasswordOnlyClient

PORTAL = "/portal/"


def sign_in(client, login: str, password: str = PASSWORD):
    return client.post(
        reverse("login"), {"login": login, "password": password}, REMOTE_ADDR="10.0.0.9"
    )


class LeftAdvisorSignInTest(BaseTestCase):
    client_class = PasswordOnlyClient

    def test_a_left_advisor_cannot_sign_in_and_is_told_plainly(self) -> None:
        advisor_set_status(advisor=self.alice, status=Advisor.Status.LEFT)
        response = sign_in(self.client, "alice")
        self.assertRedirects(response, reverse("account_inactive"), fetch_redirect_response=False)
        page = self.client.get(response["Location"])
        self.assertContains(page, "You can no longer sign in")
        self.assertContains(page, "left the Public Advisor group")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(self.client.get(PORTAL).status_code, 302)

    def test_a_wrong_password_for_a_left_advisor_says_nothing_more(self) -> None:
        advisor_set_status(advisor=self.alice, status=Advisor.Status.LEFT)
        response = sign_in(self.client, "alice", "not her password")
        self.assertContains(response, "The username or password is not right")

    def test_her_open_session_stops_working_when_she_is_marked_as_left(self) -> None:
        sign_in(self.client, "alice")
        self.assertEqual(self.client.get(PORTAL).status_code, 200)
        advisor_set_status(advisor=self.alice, status=Advisor.Status.LEFT)
        response = self.client.get(PORTAL)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_a_paused_advisor_keeps_her_access(self) -> None:
        advisor_set_status(advisor=self.alice, status=Advisor.Status.PAUSED)
        response = sign_in(self.client, "alice")
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(self.client.get(PORTAL).status_code, 200)

    def test_coming_back_switches_the_login_on_again(self) -> None:
        advisor_set_status(advisor=self.alice, status=Advisor.Status.LEFT)
        advisor_set_status(advisor=self.alice, status=Advisor.Status.ACTIVE)
        self.advisor_alice.refresh_from_db()
        self.assertTrue(self.advisor_alice.is_active)
        response = sign_in(self.client, "alice")
        self.assertRedirects(response, "/", fetch_redirect_response=False)


class AdminStatusChangeTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)

    def test_the_bulk_action_marks_left_and_switches_logins_off(self) -> None:
        response = self.client.post(
            reverse("admin:advisors_advisor_changelist"),
            {"action": "mark_left", "_selected_action": [self.alice.pk, self.bob.pk]},
            follow=True,
        )
        self.assertContains(response, "2 advisor(s) marked as left.")
        for advisor in (self.alice, self.bob):
            advisor.refresh_from_db()
            self.assertEqual(advisor.status, Advisor.Status.LEFT)
            self.assertIsNotNone(advisor.left_on)
            self.assertFalse(advisor.user.is_active)
        page = self.client.get(reverse("admin:advisors_advisor_change", args=[self.alice.pk]))
        self.assertContains(page, "Cannot sign in: their account is switched off because")

        self.client.post(
            reverse("admin:advisors_advisor_changelist"),
            {"action": "mark_paused", "_selected_action": [self.alice.pk]},
        )
        self.alice.refresh_from_db()
        self.assertEqual((self.alice.status, self.alice.left_on), (Advisor.Status.PAUSED, None))
        self.assertTrue(self.alice.user.is_active)

    def test_finance_cannot_change_status(self) -> None:
        self.client.force_login(self.finance_fay)
        self.client.post(
            reverse("admin:advisors_advisor_changelist"),
            {"action": "mark_left", "_selected_action": [self.alice.pk]},
        )
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.status, Advisor.Status.ACTIVE)
