import re
from unittest import mock

from django.conf import settings
from django.core import mail
from django.urls import reverse

from ascru_pie.accounts import password_reset_send, password_reset_send_task
from tests.base import BaseTestCase, PasswordOnlyClient


class PasswordResetTest(BaseTestCase):
    client_class = PasswordOnlyClient

    def ask(self, email: str, address: str = "10.0.0.1"):
        """Ask for a reset as a visitor would; return the response and the queued emails."""
        with (
            mock.patch.object(password_reset_send_task, "delay") as delay,
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = self.client.post(
                reverse("password_reset"), {"email": email}, REMOTE_ADDR=address
            )
        return response, [c.args[0] for c in delay.call_args_list]

    def test_reset_by_email_sets_a_new_password(self) -> None:
        response, queued = self.ask("alice@example.org")
        self.assertRedirects(response, reverse("account_reset_password_done"))
        self.assertEqual(queued, ["alice@example.org"])
        # The worker sends the email.
        self.assertEqual(password_reset_send_task(queued[0]), 1)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["alice@example.org"])
        link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body)
        path = link.group(0).removeprefix(settings.SITE_URL)
        response = self.client.get(path, follow=True)
        form_url = response.redirect_chain[-1][0]
        response = self.client.post(
            form_url, {"password1": "fresh and long 1234", "password2": "fresh and long 1234"}
        )
        self.assertRedirects(response, reverse("account_reset_password_from_key_done"))
        self.advisor_alice.refresh_from_db()
        self.assertTrue(self.advisor_alice.check_password("fresh and long 1234"))
        # The link works once.
        response = self.client.get(path, follow=True)
        self.assertContains(response, "This link does not work")

    def test_unknown_and_known_addresses_get_the_same_reply_and_the_same_work(self) -> None:
        known, queued_known = self.ask("alice@example.org")
        unknown, queued_unknown = self.ask("nobody@example.org")
        # The same redirect, to the same page, and one queued task each: the request does
        # not even look the address up, so its timing cannot tell them apart either.
        self.assertEqual(known.status_code, unknown.status_code)
        self.assertEqual(known["Location"], unknown["Location"])
        self.assertEqual(len(queued_known), len(queued_unknown))
        page = self.client.get(unknown["Location"])
        self.assertContains(page, "If that address belongs to an account")
        # Unknown: the worker sends nothing at all.
        self.assertEqual(password_reset_send(email="nobody@example.org"), 0)
        self.assertEqual(mail.outbox, [])

    def test_eight_requests_for_one_account_are_limited(self) -> None:
        statuses = []
        queued = []
        for n in range(8):
            response, sent = self.ask("alice@example.org", address=f"10.0.0.{n + 1}")
            statuses.append(response.status_code)
            queued += sent
        limit = settings.RESET_EMAILS_PER_ACCOUNT
        self.assertEqual(statuses, [302] * limit + [429] * (8 - limit))
        self.assertEqual(len(queued), limit)
        self.assertContains(response, "Please wait a while", status_code=429)

    def test_unknown_addresses_are_limited_the_same_way(self) -> None:
        statuses = [self.ask("nobody@example.org")[0].status_code for _ in range(8)]
        limit = settings.RESET_EMAILS_PER_ACCOUNT
        self.assertEqual(statuses, [302] * limit + [429] * (8 - limit))

    def test_one_address_asking_for_many_accounts_is_limited(self) -> None:
        statuses = [
            self.ask(f"person{n}@example.org", address="192.0.2.1")[0].status_code
            for n in range(12)
        ]
        limit = settings.RESET_REQUESTS_PER_ADDRESS
        self.assertEqual(statuses, [302] * limit + [429] * (12 - limit))

    def test_broker_down_still_shows_the_same_page(self) -> None:
        with (
            mock.patch.object(password_reset_send_task, "delay", side_effect=OSError("down")),
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = self.client.post(reverse("password_reset"), {"email": "alice@example.org"})
        self.assertRedirects(response, reverse("account_reset_password_done"))


class PasswordResetWithoutAPasswordTest(BaseTestCase):
    """Someone invited who never set a password (or whose link expired) asks for a reset:
    they get the invitation to set one, not silence; the page is the same as for anyone."""

    client_class = PasswordOnlyClient

    def setUp(self) -> None:
        super().setUp()
        self.advisor_alice.set_unusable_password()
        self.advisor_alice.save()

    def test_the_set_up_email_is_sent_and_its_link_sets_a_password(self) -> None:
        with (
            mock.patch.object(password_reset_send_task, "delay") as delay,
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = self.client.post(reverse("password_reset"), {"email": "alice@example.org"})
        self.assertRedirects(response, reverse("account_reset_password_done"))
        self.assertEqual(password_reset_send_task(delay.call_args.args[0]), 1)
        [message] = mail.outbox
        self.assertEqual(message.to, ["alice@example.org"])
        self.assertIn("set your password", message.subject)
        path = re.search(r"http://\S+(/accounts/invitation/\S+/)", message.body).group(1)
        response = self.client.post(
            path, {"new_password1": "fresh and long 1234", "new_password2": "fresh and long 1234"}
        )
        self.assertEqual(response.status_code, 302)
        self.advisor_alice.refresh_from_db()
        self.assertTrue(self.advisor_alice.check_password("fresh and long 1234"))

    def test_an_inactive_account_without_a_password_gets_nothing(self) -> None:
        self.advisor_alice.is_active = False
        self.advisor_alice.save()
        self.assertEqual(password_reset_send(email="alice@example.org"), 0)
        self.assertEqual(mail.outbox, [])
