"""The unit's contact details (settings) appear wherever a page or email says "contact us"."""

from django.core import mail
from django.test import RequestFactory, override_settings
from django.urls import reverse

from ascru_pie.lib.emails import make_message
from ascru_pie.views import server_error
from tests.base import BaseTestCase

CONTACT = {
    "UNIT_CONTACT_NAME": "Priya, the Involvement Coordinator",
    "UNIT_CONTACT_PHONE": "01632 960123",
    "UNIT_CONTACT_EMAIL": "involve@example.ac.uk",
    "UNIT_CONTACT_ADDRESS": "ASCRU2, Room 4\nExample University\nEX1 2MP",
}


@override_settings(**CONTACT)
class UnitContactTest(BaseTestCase):
    def assert_contact(self, html: str) -> None:
        self.assertIn("Priya, the Involvement Coordinator", html)
        self.assertIn('href="tel:01632960123"', html)
        self.assertIn('href="mailto:involve@example.ac.uk"', html)
        self.assertIn("ASCRU2, Room 4, Example University, EX1 2MP", html)

    def test_the_apply_page_says_how_to_apply_by_phone_or_post(self) -> None:
        response = self.client.get(reverse("advisors:apply"))
        self.assert_contact(response.content.decode())

    def test_every_page_footer_and_the_error_pages(self) -> None:
        self.client.force_login(self.advisor_alice)
        self.assert_contact(self.client.get(reverse("portal-home")).content.decode())
        self.assert_contact(self.client.get("/no-such-page/").content.decode())
        self.assert_contact(self.client.get(reverse("staff-home")).content.decode())  # 403

    def test_the_500_page_needs_no_database_or_user(self) -> None:
        response = server_error(RequestFactory().get("/"))
        self.assertEqual(response.status_code, 500)
        self.assert_contact(response.content.decode())

    def test_every_email_ends_with_the_contact_details(self) -> None:
        make_message("application-received", "ann@example.org", {"application": self.alice}).send()
        message = mail.outbox[-1]
        self.assertIn("01632 960123", message.body)
        self.assertIn("involve@example.ac.uk", message.body)
        self.assert_contact(message.alternatives[0][0])

    @override_settings(UNIT_CONTACT_EMAIL="", UNIT_CONTACT_PHONE="", UNIT_CONTACT_ADDRESS="")
    def test_email_defaults_to_the_sending_address(self) -> None:
        with self.settings(DEFAULT_FROM_EMAIL="ASCRU2 Involvement <pie@example.ac.uk>"):
            html = self.client.get(reverse("advisors:apply")).content.decode()
        self.assertIn('href="mailto:pie@example.ac.uk"', html)
        self.assertNotIn("tel:", html)
