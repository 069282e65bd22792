"""Consent is append-only; the latest row counts; withdrawing contact consent stops reminders."""

import datetime
import importlib
from unittest import mock

import time_machine
from django.apps import apps
from django.urls import reverse

from advisors.models import Application, Consent, ConsentRefused
from reminders.models import Delivery
from reminders.tasks import reminders_run
from tests.base import BaseTestCase
from tests.factories import ApplicationFactory, MeetingFactory, invite

CONSENT = reverse("advisors:consent")
NOW = datetime.datetime(2026, 6, 1, 9, 5, tzinfo=datetime.UTC)


def contact_rows(advisor) -> list[tuple]:
    return list(
        Consent.objects.filter(advisor=advisor, purpose="contact")
        .order_by("at", "pk")
        .values_list("given", "method", "recorded_by__username")
    )


class PortalConsentTest(BaseTestCase):
    def test_alice_withdraws_and_gives_again_and_every_answer_is_kept(self) -> None:
        self.client.force_login(self.advisor_alice)
        page = self.client.get(CONSENT)
        self.assertContains(page, "At the moment we may contact you")
        response = self.client.post(CONSENT, {"contact": "no"}, follow=True)
        self.assertContains(response, "We will stop contacting you")
        self.assertContains(response, "At the moment we do not contact you")
        self.client.post(CONSENT, {"contact": "yes"})
        self.assertEqual(
            contact_rows(self.alice), [(False, "portal", "alice"), (True, "portal", "alice")]
        )
        self.assertEqual(contact_rows(self.bob), [])

    def test_no_choice_is_explained(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.post(CONSENT, {})
        self.assertContains(response, "Choose yes or no.", status_code=400)
        self.assertEqual(contact_rows(self.alice), [])

    def test_the_profile_page_links_to_it(self) -> None:
        self.client.force_login(self.advisor_alice)
        self.assertContains(self.client.get(reverse("advisors:profile")), f'href="{CONSENT}"')

    def test_only_advisors_reach_it(self) -> None:
        self.assertEqual(self.client.get(CONSENT).status_code, 302)
        for user in (self.staff_sam, self.researcher_rita, self.outsider_carol):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertIn(self.client.get(CONSENT).status_code, (403, 404))


class ConsentIsAppendOnlyTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.consent = Consent.objects.create(
            advisor=self.alice, purpose="contact", given=True, method="application"
        )

    def test_a_consent_row_cannot_be_changed_or_deleted(self) -> None:
        self.consent.given = False
        with self.assertRaises(ConsentRefused):
            self.consent.save()
        with self.assertRaises(ConsentRefused):
            self.consent.delete()
        self.consent.refresh_from_db()
        self.assertTrue(self.consent.given)

    def test_sam_records_a_withdrawal_phoned_in_and_cannot_edit_it(self) -> None:
        self.client.force_login(self.staff_sam)
        add = reverse("admin:advisors_consent_add")
        form = self.client.get(add + f"?advisor={self.alice.pk}")
        self.assertContains(form, "By phone, recorded by staff")
        self.assertNotContains(form, "Online, by the advisor")
        response = self.client.post(
            add,
            {"advisor": self.alice.pk, "purpose": "contact", "method": "phone", "note": "Rang"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            contact_rows(self.alice), [(True, "application", None), (False, "phone", "sam")]
        )
        latest = Consent.objects.filter(advisor=self.alice).first()
        change = reverse("admin:advisors_consent_change", args=[latest.pk])
        self.client.post(change, {"advisor": self.alice.pk, "purpose": "contact", "given": "on"})
        latest.refresh_from_db()
        self.assertFalse(latest.given)


class ApplicationConsentTest(BaseTestCase):
    def test_accepting_an_application_records_the_consent_given_on_it(self) -> None:
        consented = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
        application = ApplicationFactory(privacy_notice_version="2026-02", consented_at=consented)
        self.client.force_login(self.staff_sam)
        self.client.post(
            reverse("admin:advisors_application_changelist"),
            {"action": "accept", "_selected_action": [application.pk]},
        )
        application.refresh_from_db()
        self.assertEqual(
            sorted(
                application.advisor.consents.values_list(
                    "purpose", "given", "privacy_notice_version", "at", "method"
                )
            ),
            [
                ("contact", True, "2026-02", consented, "application"),
                ("privacy_notice", True, "2026-02", consented, "application"),
            ],
        )

    def test_the_data_migration_gives_existing_advisors_their_application_consent(self) -> None:
        migration = importlib.import_module("advisors.migrations.0007_consent_and_history_baseline")
        ApplicationFactory(advisor=self.alice, status=Application.Status.ACCEPTED)
        migration.consent_from_applications(apps, None)
        migration.consent_from_applications(apps, None)  # twice changes nothing
        self.assertEqual(
            sorted(self.alice.consents.values_list("purpose", "given", "method")),
            [("contact", True, "application"), ("privacy_notice", True, "application")],
        )
        self.assertFalse(self.bob.consents.exists())


@time_machine.travel(NOW, tick=False)
class WithdrawnConsentStopsRemindersTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        start = NOW.replace(hour=10, minute=0) + datetime.timedelta(days=7)
        meeting = MeetingFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
        invite(meeting, self.alice, self.bob)
        # Recent involvement, so only the meeting reminder is due.
        recent = NOW - datetime.timedelta(days=10)
        invite(MeetingFactory(starts_at=recent), self.alice, self.bob)

    def run_beat(self) -> None:
        with mock.patch("reminders.tasks.delivery_send.delay"):
            with self.captureOnCommitCallbacks(execute=True):
                reminders_run()

    def reminded(self) -> set:
        return set(Delivery.objects.values_list("advisor__first_name", flat=True))

    def test_alice_withdrew_on_the_portal_so_only_bob_is_reminded_until_she_gives_it_again(
        self,
    ) -> None:
        self.client.force_login(self.advisor_alice)
        self.client.post(CONSENT, {"contact": "no"})
        self.run_beat()
        self.assertEqual(self.reminded(), {"Bob"})
        self.client.post(CONSENT, {"contact": "yes"})
        self.run_beat()
        self.assertEqual(self.reminded(), {"Alice", "Bob"})
