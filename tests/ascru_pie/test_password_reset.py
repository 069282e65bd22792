import re

from django.core import mail
from django.urls import reverse

from tests.base import BaseTestCase


class PasswordResetTest(BaseTestCase):
    def test_reset_by_email_sets_a_new_password(self) -> None:
        self.client.post(reverse("password_reset"), {"email": "alice@example.org"})
        self.assertEqual(len(mail.outbox), 1)
        link = re.search(r"http://\S+/accounts/reset/\S+/", mail.outbox[0].body).group(0)
        path = link.split("testserver", 1)[1]
        response = self.client.get(path, follow=True)
        form_url = response.redirect_chain[-1][0]
        response = self.client.post(
            form_url,
            {"new_password1": "fresh and long 1234", "new_password2": "fresh and long 1234"},
        )
        self.assertRedirects(response, reverse("password_reset_complete"))
        self.advisor_alice.refresh_from_db()
        self.assertTrue(self.advisor_alice.check_password("fresh and long 1234"))
        # The link works once.
        response = self.client.get(path, follow=True)
        self.assertContains(response, "This link does not work")

    def test_unknown_email_reveals_nothing_and_sends_nothing(self) -> None:
        response = self.client.post(reverse("password_reset"), {"email": "nobody@example.org"})
        self.assertRedirects(response, reverse("password_reset_done"))
        self.assertEqual(mail.outbox, [])
