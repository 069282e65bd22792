"""One email per person (issue 14): Alice changes her email in "Your details"; it becomes her
sign-in email once she opens the link sent to the new address. Until then her old address
still signs in and gets password resets, and the page says so."""

import re

from django.core import mail
from django.urls import reverse

from ascru_pie.accounts import password_reset_send
from tests.base import PASSWORD, BaseTestCase, PasswordOnlyClient

PROFILE = reverse("advisors:profile")
NEW = "alice.new@example.net"


def profile_form(**overrides) -> dict:
    return {
        "email": "alice@example.org",
        "phone": "01632 960 001",
        "address": "",
        "postcode": "",
        "contact_method": "email",
        "contact_format": "standard",
        "contact_format_other": "",
        "availability": "",
        "support_needs": "",
        "acknowledgement": "full_name",
        **overrides,
    }


class ProfileEmailChangeTest(BaseTestCase):
    client_class = PasswordOnlyClient

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.advisor_alice)

    def change(self):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(PROFILE, profile_form(email=NEW), follow=True)

    def test_the_page_says_which_address_she_signs_in_with(self) -> None:
        page = self.client.get(PROFILE)
        self.assertContains(page, "You sign in with <strong>alice@example.org</strong>")

    def test_a_new_email_waits_for_the_link_then_signs_in_and_gets_resets(self) -> None:
        response = self.change()
        self.assertContains(response, f"We have sent an email to {NEW}")
        self.assertContains(response, "keep signing in with alice@example.org")
        self.assertContains(response, f"You asked to use <strong>{NEW}</strong>")
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.email, NEW)
        self.advisor_alice.refresh_from_db()
        self.assertEqual(self.advisor_alice.email, "alice@example.org")
        old = next(m for m in mail.outbox if m.to == ["alice@example.org"])
        self.assertIn("you (or someone signed in as you) asked", old.body)
        confirmation = next(m for m in mail.outbox if m.to == [NEW])

        # Not yet: the old address still signs in and gets resets; the new one does not.
        mail.outbox.clear()
        self.assertEqual(password_reset_send(email=NEW), 0)
        self.assertEqual(password_reset_send(email="alice@example.org"), 1)

        # She opens the link at the new address.
        link = re.search(r"https?://\S+(/accounts/confirm-email/\S+/)", confirmation.body)
        self.client.post(link.group(1))
        self.advisor_alice.refresh_from_db()
        self.assertEqual(self.advisor_alice.email, NEW)
        mail.outbox.clear()
        self.assertEqual(password_reset_send(email=NEW), 1)
        self.assertEqual(mail.outbox[0].to, [NEW])
        self.client.logout()
        response = self.client.post(
            reverse("login"), {"login": NEW, "password": PASSWORD}, REMOTE_ADDR="10.0.0.3"
        )
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.client.force_login(self.advisor_alice)
        page = self.client.get(PROFILE)
        self.assertContains(page, f"You sign in with <strong>{NEW}</strong>")

    def test_changing_back_before_confirming_cancels_the_change(self) -> None:
        self.change()
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(PROFILE, profile_form())
        page = self.client.get(PROFILE)
        self.assertNotContains(page, "You asked to use")
        self.assertContains(page, "You sign in with <strong>alice@example.org</strong>")
