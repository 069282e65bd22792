"""The PIE team's erasure pages: a confirm step in plain words, POST only, once only."""

from django.urls import reverse

from advisors.models import Advisor, Application
from ascru_pie.roles import Role
from privacy.records import ErasureRecord
from tests.base import BaseTestCase
from tests.factories import ApplicationFactory, make_claim, mark_paid


class AdvisorErasurePageTests(BaseTestCase):
    def setUp(self):
        self.url = reverse("privacy:erasure-advisor", args=[self.alice.pk])

    def test_the_pie_team_sees_what_erasing_does_before_anything_changes(self):
        mark_paid(make_claim(self.alice))
        self.client.force_login(self.staff_sam)
        response = self.client.get(self.url)
        self.assertContains(response, "Erase Alice Ashby")
        self.assertContains(response, "close their login for good")
        self.assertContains(response, "keep their 1 claim and payments")
        self.assertContains(response, "This cannot be undone")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertEqual(Advisor.objects.get(pk=self.alice.pk).last_name, "Ashby")

    def test_erasing_needs_the_box_ticked(self):
        self.client.force_login(self.staff_sam)
        response = self.client.post(self.url, {})
        self.assertContains(response, "Tick the box to confirm")
        self.assertFalse(ErasureRecord.objects.exists())

    def test_erasing_through_the_page_then_a_double_click_changes_nothing_more(self):
        self.client.force_login(self.staff_sam)
        response = self.client.post(self.url, {"understood": "on"}, follow=True)
        record = ErasureRecord.objects.get()
        self.assertRedirects(response, reverse("privacy:erasure-list"))
        self.assertContains(response, f"Their records now call them {record.pseudonym}")
        self.assertContains(response, record.pseudonym)
        self.assertEqual(record.by, self.staff_sam)
        again = self.client.post(self.url, {"understood": "on"}, follow=True)
        self.assertContains(again, "Already erased")
        self.assertEqual(ErasureRecord.objects.count(), 1)
        self.assertEqual(Advisor.objects.get(pk=self.bob.pk).last_name, "Brown")

    def test_claims_still_to_be_paid_hold_erasure_back(self):
        make_claim(self.alice, status="submitted")
        self.client.force_login(self.staff_sam)
        self.assertContains(self.client.get(self.url), "still waiting to be paid")
        response = self.client.post(self.url, {"understood": "on"}, follow=True)
        self.assertContains(response, "Not erased.")
        self.assertFalse(ErasureRecord.objects.exists())

    def test_only_the_pie_team_may_erase(self):
        for role in [Role.ADVISOR, Role.RESEARCHER, Role.MANAGER, Role.FINANCE]:
            with self.subTest(role=role):
                self.client.force_login(self.persona(role))
                self.assertEqual(self.client.get(self.url).status_code, 403)
                self.assertEqual(self.client.post(self.url, {"understood": "on"}).status_code, 403)
        self.client.force_login(self.outsider_carol)
        self.assertEqual(self.client.post(self.url, {"understood": "on"}).status_code, 403)
        self.assertFalse(ErasureRecord.objects.exists())

    def test_a_pie_team_member_without_the_erase_permission_is_refused(self):
        self.staff_sam.groups.first().permissions.remove(
            *self.staff_sam.groups.first().permissions.filter(codename="erase_person")
        )
        self.client.force_login(self.staff_sam)
        self.assertEqual(self.client.post(self.url, {"understood": "on"}).status_code, 403)
        self.assertFalse(ErasureRecord.objects.exists())


class ApplicationErasurePageTests(BaseTestCase):
    def test_a_declined_application_is_erased_from_the_list(self):
        application = ApplicationFactory(first_name="Dora", last_name="Dunn", status="declined")
        self.client.force_login(self.staff_sam)
        listing = self.client.get(reverse("privacy:erasure-list"))
        url = reverse("privacy:erasure-application", args=[application.pk])
        self.assertContains(listing, url)
        self.assertContains(listing, "Dora Dunn")
        self.client.post(url, {"understood": "on"})
        application.refresh_from_db()
        self.assertRegex(application.full_name, r"^Applicant [0-9A-F]{4}$")
        self.assertNotContains(self.client.get(reverse("privacy:erasure-list")), "Dora Dunn")

    def test_an_application_still_being_decided_cannot_be_erased(self):
        application = ApplicationFactory(first_name="Ed", last_name="Evans", status="received")
        url = reverse("privacy:erasure-application", args=[application.pk])
        self.client.force_login(self.staff_sam)
        self.assertContains(self.client.get(url), "only a declined or withdrawn application")
        self.client.post(url, {"understood": "on"})
        self.assertEqual(Application.objects.get(pk=application.pk).last_name, "Evans")

    def test_others_get_403(self):
        application = ApplicationFactory(status="declined")
        url = reverse("privacy:erasure-application", args=[application.pk])
        for role in [Role.ADVISOR, Role.RESEARCHER, Role.MANAGER, Role.FINANCE]:
            with self.subTest(role=role):
                self.client.force_login(self.persona(role))
                self.assertEqual(self.client.post(url, {"understood": "on"}).status_code, 403)
        self.assertFalse(ErasureRecord.objects.exists())
