"""Advisors who had already left before a Left status switched the login off (issue 14).

Their logins were never switched off, so they could still sign in. A data migration switches
them off (ending their sessions), and the sign-in door refuses anyone whose advisor record
says they have left, whatever their login says, with the same plain page.
"""

import importlib

from django.apps import apps
from django.test import override_settings
from django.urls import reverse

from advisors.models import Advisor
from advisors.services import advisor_set_status
from tests.base import PASSWORD, BaseTestCase, PasswordOnlyClient

PORTAL = "/portal/"
MIGRATION = importlib.import_module("advisors.migrations.0009_left_advisors_cannot_sign_in")


def sign_in(client, login: str, password: str = PASSWORD):
    return client.post(
        reverse("login"), {"login": login, "password": password}, REMOTE_ADDR="10.0.0.9"
    )


def left_long_ago(advisor: Advisor) -> None:
    """Left the way it used to happen: the status changes, the login stays on."""
    Advisor.objects.filter(pk=advisor.pk).update(status=Advisor.Status.LEFT)


@override_settings(UNIT_CONTACT_PHONE="01632 960123", UNIT_CONTACT_EMAIL="involve@example.ac.uk")
class LeftWithALoginStillOnTest(BaseTestCase):
    client_class = PasswordOnlyClient

    def test_she_is_refused_at_sign_in_and_told_plainly_with_our_contact_details(self) -> None:
        left_long_ago(self.alice)
        self.advisor_alice.refresh_from_db()
        self.assertTrue(self.advisor_alice.is_active)
        response = sign_in(self.client, "alice")
        self.assertRedirects(response, reverse("account_inactive"), fetch_redirect_response=False)
        page = self.client.get(response["Location"])
        self.assertContains(page, "You can no longer sign in")
        self.assertContains(page, "01632 960123")
        self.assertContains(page, "involve@example.ac.uk")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(self.client.get(PORTAL).status_code, 302)

    def test_a_wrong_password_says_nothing_more(self) -> None:
        left_long_ago(self.alice)
        response = sign_in(self.client, "alice", "not her password")
        self.assertContains(response, "The username or password is not right")

    def test_paused_and_active_advisors_still_sign_in(self) -> None:
        Advisor.objects.filter(pk=self.alice.pk).update(status=Advisor.Status.PAUSED)
        response = sign_in(self.client, "alice")
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(self.client.get(PORTAL).status_code, 200)

    def test_a_staff_member_whose_advisor_record_has_left_still_signs_in(self) -> None:
        # As when the status changes: staff accounts are left alone.
        Advisor.objects.filter(pk=self.bob.pk).update(
            user=self.staff_sam, status=Advisor.Status.LEFT
        )
        response = sign_in(self.client, "sam")
        self.assertEqual(response.status_code, 302)
        self.assertNotEqual(response["Location"], reverse("account_inactive"))


class MigrationSwitchesTheirLoginsOffTest(BaseTestCase):
    client_class = PasswordOnlyClient

    def test_the_migration_switches_off_left_logins_and_ends_their_sessions(self) -> None:
        sign_in(self.client, "alice")
        self.assertEqual(self.client.get(PORTAL).status_code, 200)
        left_long_ago(self.alice)
        Advisor.objects.filter(pk=self.bob.pk).update(status=Advisor.Status.PAUSED)
        epoch = self.advisor_alice.session_epoch

        MIGRATION.switch_off_left_logins(apps, None)

        self.advisor_alice.refresh_from_db()
        self.assertFalse(self.advisor_alice.is_active)
        self.assertEqual(self.advisor_alice.session_epoch, epoch + 1)
        # Her open session stops working.
        response = self.client.get(PORTAL)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))
        # Paused keeps their access.
        self.advisor_bob.refresh_from_db()
        self.assertTrue(self.advisor_bob.is_active)
        # Coming back switches it on again, as for anyone else who left.
        self.alice.refresh_from_db()
        advisor_set_status(advisor=self.alice, status=Advisor.Status.ACTIVE)
        self.advisor_alice.refresh_from_db()
        self.assertTrue(self.advisor_alice.is_active)

    def test_staff_accounts_are_left_alone(self) -> None:
        Advisor.objects.filter(pk=self.bob.pk).update(
            user=self.staff_sam, status=Advisor.Status.LEFT
        )
        MIGRATION.switch_off_left_logins(apps, None)
        self.staff_sam.refresh_from_db()
        self.assertTrue(self.staff_sam.is_active)
