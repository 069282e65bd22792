"""Staff cannot take over someone's account alone: a change of their sign-in email waits for
confirmation (at the new address, or by a second member of staff) and the old address is
told; and staff send a password reset email instead of setting a password."""

import re

from django.core import mail
from django.urls import reverse

from ascru_pie.accounts import password_reset_send
from ascru_pie.models import LoginEmailChange, User
from ascru_pie.roles import Role
from tests.base import BaseTestCase, make_user

NEW = "mallory@example.net"


class LoginEmailChangeTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)
        self.url = reverse("admin:ascru_pie_user_change", args=[self.advisor_alice.pk])

    def change_email(self, email: str = NEW):
        data = {
            "username": "alice",
            "first_name": "Alice",
            "last_name": "",
            "email": email,
            "is_active": "on",
            "groups": list(self.advisor_alice.groups.values_list("pk", flat=True)),
        }
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url, data, follow=True)

    def alice_now(self) -> User:
        return User.objects.get(pk=self.advisor_alice.pk)

    def test_the_change_waits_and_both_addresses_are_written_to(self) -> None:
        response = self.change_email()
        self.assertEqual(self.alice_now().email, "alice@example.org")
        self.assertContains(response, "stays alice@example.org until the change to")
        recipients = sorted(m.to[0] for m in mail.outbox)
        self.assertEqual(recipients, ["alice@example.org", NEW])
        old = next(m for m in mail.outbox if m.to == ["alice@example.org"])
        self.assertIn("Nothing has changed yet", old.body)
        self.assertIn(NEW, old.body)
        self.assertIn(
            "Waiting for confirmation: " + NEW, self.client.get(self.url).content.decode()
        )

    def test_no_password_reset_goes_to_the_unconfirmed_address(self) -> None:
        self.change_email()
        mail.outbox.clear()
        self.assertEqual(password_reset_send(email=NEW), 0)
        self.assertEqual(mail.outbox, [])

    def test_the_link_at_the_new_address_makes_the_change(self) -> None:
        self.change_email()
        confirmation = next(m for m in mail.outbox if m.to == [NEW])
        link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", confirmation.body).group(0)
        path = link.split("://", 1)[1].split("/", 1)[1]
        self.client.logout()
        self.client.post("/" + path)
        self.assertEqual(self.alice_now().email, NEW)

    def test_whoever_asked_cannot_confirm_it_but_a_colleague_can(self) -> None:
        self.change_email()
        confirm = reverse("admin:ascru_pie_user_email_confirm", args=[self.advisor_alice.pk])
        response = self.client.get(confirm)
        self.assertContains(response, "You asked for this change, so someone else must confirm")
        response = self.client.post(confirm, follow=True)
        self.assertContains(response, "someone else must confirm it")
        self.assertEqual(self.alice_now().email, "alice@example.org")

        self.client.force_login(make_user("pat", Role.PIE_TEAM, is_staff=True))
        self.client.post(confirm)
        self.assertEqual(self.alice_now().email, NEW)
        change = LoginEmailChange.objects.get()
        self.assertEqual(change.requested_by, self.staff_sam)
        self.assertEqual(change.confirmed_by.username, "pat")

    def test_staff_changing_their_own_email_is_not_held_up(self) -> None:
        superuser = make_user("root", is_staff=True, is_superuser=True)
        self.client.force_login(superuser)
        url = reverse("admin:ascru_pie_user_change", args=[superuser.pk])
        form = self.client.get(url).context["adminform"].form
        data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
        data.update(
            {"email": "root@example.net", "last_login_0": "", "last_login_1": "", "groups": []}
        )
        data["date_joined_0"], data["date_joined_1"] = "2026-01-01", "10:00:00"
        data = {k: v for k, v in data.items() if k not in ("user_permissions", "date_joined")}
        data["is_active"] = "on"
        data["is_staff"] = "on"
        data["is_superuser"] = "on"
        self.client.post(url, data)
        superuser.refresh_from_db()
        self.assertEqual(superuser.email, "root@example.net")


class PasswordTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)

    def test_staff_cannot_set_an_advisors_password(self) -> None:
        url = reverse("admin:auth_user_password_change", args=[self.advisor_alice.pk])
        self.assertEqual(self.client.get(url).status_code, 403)
        response = self.client.post(url, {"password1": "x" * 20, "password2": "x" * 20})
        self.assertEqual(response.status_code, 403)
        change = self.client.get(
            reverse("admin:ascru_pie_user_change", args=[self.advisor_alice.pk])
        )
        self.assertNotContains(change, "password/")

    def test_staff_send_a_password_reset_email_instead(self) -> None:
        response = self.client.post(
            reverse("admin:ascru_pie_user_changelist"),
            {"action": "send_password_reset", "_selected_action": [self.advisor_alice.pk]},
            follow=True,
        )
        self.assertContains(response, "Password reset email sent to 1 person(s).")
        [message] = mail.outbox
        self.assertEqual(message.to, ["alice@example.org"])
        self.assertIn("/accounts/password/reset/key/", message.body)
