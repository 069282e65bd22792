import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ascru_pie.models import User
from ascru_pie.services import user_invitation_url, user_invite
from tests.base import BaseTestCase

NEW_PASSWORD = {
    "new_password1": "a good long password 2026",
    "new_password2": "a good long password 2026",
}


class InvitationTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.newcomer = User.objects.create_user(
            username="nina", email="nina@example.org", first_name="Nina"
        )

    def test_invite_emails_a_link_that_sets_the_password_and_signs_in(self) -> None:
        url = user_invite(user=self.newcomer, invited_by=self.staff_sam)
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn(url, mail.outbox[0].body)
        self.assertEqual(mail.outbox[0].to, ["nina@example.org"])
        path = "/" + url.split("/", 3)[3]
        self.assertContains(self.client.get(path), "Welcome, Nina")
        response = self.client.post(path, NEW_PASSWORD)
        self.assertEqual(response.status_code, 302)
        self.newcomer.refresh_from_db()
        self.assertTrue(self.newcomer.check_password(NEW_PASSWORD["new_password1"]))
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.newcomer.pk)

    def test_link_works_only_once(self) -> None:
        path = "/" + user_invitation_url(user=self.newcomer).split("/", 3)[3]
        self.client.post(path, NEW_PASSWORD)
        self.client.logout()
        response = self.client.get(path)
        self.assertContains(response, "already been used or is too old", status_code=400)
        response = self.client.post(path, NEW_PASSWORD)
        self.assertEqual(response.status_code, 400)

    def test_link_expires(self) -> None:
        with time_machine.travel(timezone.now() - timezone.timedelta(days=15)):
            path = "/" + user_invitation_url(user=self.newcomer).split("/", 3)[3]
        response = self.client.get(path)
        self.assertContains(response, "already been used or is too old", status_code=400)

    def test_link_still_works_within_its_lifetime(self) -> None:
        with time_machine.travel(timezone.now() - timezone.timedelta(days=13)):
            path = "/" + user_invitation_url(user=self.newcomer).split("/", 3)[3]
        self.assertEqual(self.client.get(path).status_code, 200)

    def test_tampered_link_is_refused(self) -> None:
        path = "/" + user_invitation_url(user=self.newcomer).split("/", 3)[3]
        self.assertEqual(self.client.get(path[:-3] + "xx/").status_code, 400)
        self.assertEqual(
            self.client.get(reverse("invitation-accept", args=["zzz", "1-abc"])).status_code, 400
        )

    def test_password_reset_token_is_not_an_invitation(self) -> None:
        from django.contrib.auth.tokens import default_token_generator
        from django.utils.encoding import force_bytes
        from django.utils.http import urlsafe_base64_encode

        uid = urlsafe_base64_encode(force_bytes(self.newcomer.pk))
        path = reverse(
            "invitation-accept", args=[uid, default_token_generator.make_token(self.newcomer)]
        )
        self.assertEqual(self.client.get(path).status_code, 400)

    def test_weak_password_gets_a_clear_message_and_link_stays_valid(self) -> None:
        path = "/" + user_invitation_url(user=self.newcomer).split("/", 3)[3]
        response = self.client.post(path, {"new_password1": "123", "new_password2": "123"})
        self.assertContains(response, "This password is too short")
        self.assertEqual(self.client.get(path).status_code, 200)

    def test_someone_with_a_password_is_not_invited(self) -> None:
        with self.assertRaisesMessage(ValueError, "already has a password"):
            user_invite(user=self.advisor_alice)
        self.assertEqual(mail.outbox, [])
