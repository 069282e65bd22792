"""The public application form at /apply/."""

from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse

from advisors.models import Application, ApplicationEvent, EqualityMonitoring, LivedExperience

URL = reverse("advisors:apply")


def valid_form(**overrides) -> dict:
    data = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace@example.org",
        "phone": "",
        "address": "",
        "postcode": "",
        "contact_method": "email",
        "contact_format": "standard",
        "lived_experience": [LivedExperience.objects.get(code="unpaid_carer").pk],
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class ApplyTest(TestCase):
    def test_a_valid_application_is_saved_acknowledged_and_logged(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                URL, valid_form(**{"eq-age_band": "65_74", "eq-sex": "prefer_not_to_say"})
            )
        self.assertRedirects(response, reverse("advisors:apply-thanks"))
        application = Application.objects.get()
        self.assertEqual(application.email, "grace@example.org")
        self.assertEqual(application.status, Application.Status.RECEIVED)
        self.assertEqual(application.privacy_notice_version, "2026-01")
        self.assertEqual(
            list(application.lived_experience.values_list("code", flat=True)), ["unpaid_carer"]
        )
        self.assertEqual(ApplicationEvent.objects.get().to_status, "received")
        equality = EqualityMonitoring.objects.get()
        self.assertEqual(
            (equality.application, equality.age_band, equality.sex),
            (application, "65_74", "prefer_not_to_say"),
        )
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["grace@example.org"])
        self.assertIn("Thank you for applying", mail.outbox[0].body)

    def test_equality_questions_are_optional(self) -> None:
        self.client.post(URL, valid_form())
        self.assertEqual(Application.objects.count(), 1)
        self.assertFalse(EqualityMonitoring.objects.exists())

    def test_each_missing_or_malformed_field_gets_its_own_message_and_nothing_is_saved(
        self,
    ) -> None:
        cases = [
            ({"first_name": ""}, "Enter your first name."),
            ({"last_name": ""}, "Enter your last name."),
            ({"email": "not-an-email"}, "Enter an email address in the right format"),
            ({"email": ""}, "You asked us to contact you by email: enter your email address."),
            (
                {"contact_method": "phone"},
                "You asked us to contact you by phone: enter your phone number.",
            ),
            (
                {"contact_method": "post"},
                "You asked us to contact you by post: enter your address and postcode.",
            ),
            ({"phone": "12ab"}, "Enter a phone number, like 01632 960 001"),
            ({"contact_format": "other"}, "Tell us which format you would like."),
            ({"lived_experience": []}, "Tick at least one kind of experience of social care."),
            ({"consent": None}, "To apply, tick the box to say you agree to the privacy notice."),
            ({"contact_method": "pigeon"}, "Select a valid choice."),
            ({"eq-age_band": "ancient"}, "Select a valid choice."),
        ]
        for overrides, message in cases:
            with self.subTest(overrides=overrides):
                response = self.client.post(URL, valid_form(**overrides))
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, "There is a problem", status_code=400)
        self.assertFalse(Application.objects.exists())
        self.assertFalse(EqualityMonitoring.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_without_consent_no_record_is_kept(self) -> None:
        self.client.post(URL, valid_form(consent=None, **{"eq-age_band": "25_34"}))
        self.assertFalse(Application.objects.exists())
        self.assertFalse(EqualityMonitoring.objects.exists())

    def test_filled_honeypot_saves_nothing_but_looks_like_success(self) -> None:
        response = self.client.post(URL, valid_form(website="http://spam.example"))
        self.assertRedirects(response, reverse("advisors:apply-thanks"))
        self.assertFalse(Application.objects.exists())
        self.assertEqual(mail.outbox, [])

    @override_settings(APPLY_LIMIT_PER_HOUR=2)
    def test_submission_limit_per_address(self) -> None:
        for n in range(2):
            self.client.post(URL, valid_form(email=f"p{n}@example.org"), REMOTE_ADDR="203.0.113.9")
        response = self.client.post(
            URL, valid_form(email="p3@example.org"), REMOTE_ADDR="203.0.113.9"
        )
        self.assertContains(response, "Please wait an hour and try again", status_code=429)
        self.assertEqual(Application.objects.count(), 2)
        # Another address is not affected.
        self.client.post(URL, valid_form(email="p4@example.org"), REMOTE_ADDR="198.51.100.7")
        self.assertEqual(Application.objects.count(), 3)

    def test_the_address_itself_is_not_stored(self) -> None:
        self.client.post(URL, valid_form(), REMOTE_ADDR="203.0.113.9")
        self.assertNotIn("203.0.113.9", Application.objects.get().source_hash)
        self.assertEqual(len(Application.objects.get().source_hash), 64)

    def test_form_labels_every_field_and_says_what_is_optional(self) -> None:
        response = self.client.get(URL)
        self.assertContains(response, 'for="id_first_name" class="form-label requiredField"')
        self.assertContains(response, "Prefer not to say")
        self.assertContains(response, "Equality questions (optional)")
        self.assertContains(response, "privacy notice (version 2026-01)")
