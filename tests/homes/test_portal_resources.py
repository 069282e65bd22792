"""The advisors' library: the PIE team uploads in the admin; signed-in advisors (not Left ones)
list and download; everyone else is refused; the file is never at a MEDIA_URL address."""

from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from advisors.models import Advisor
from homes.models import Resource
from tests.base import BaseTestCase

LIST = reverse("portal-resources")


def a_file_resource(title: str = "Guide to claiming expenses", **fields) -> Resource:
    resource = Resource(title=title, kind=Resource.Kind.PAYMENTS, **fields)
    resource.file.save("claiming.txt", ContentFile(b"Keep your receipts."), save=True)
    return resource


class AdminUploadTest(BaseTestCase):
    def test_sam_uploads_a_guide_in_the_admin_and_it_is_stored_privately(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.post(
            reverse("admin:homes_resource_add"),
            {
                "title": "Training: chairing a meeting",
                "kind": Resource.Kind.TRAINING,
                "description": "Slides from the spring session.",
                "file": SimpleUploadedFile("chairing.pdf", b"%PDF-1.4 slides"),
                "link": "",
                "shown_to_advisors": "on",
                "order": "0",
            },
        )
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        resource = Resource.objects.get(title="Training: chairing a meeting")
        stored = Path(resource.file.path)
        self.assertTrue(stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT)))
        self.assertFalse(stored.is_relative_to(Path(settings.MEDIA_ROOT)))
        with self.assertRaises(ValueError):
            resource.file.url  # noqa: B018 - a private file has no address of its own
        change = self.client.get(reverse("admin:homes_resource_change", args=[resource.pk]))
        self.assertContains(change, reverse("portal-resource", args=[resource.pk]))
        self.assertNotContains(change, settings.MEDIA_URL + "resources/")

    def test_a_resource_needs_a_file_or_a_link_not_both(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.post(
            reverse("admin:homes_resource_add"),
            {"title": "Nothing", "kind": "guide", "link": "", "order": "0"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Give a file to download or a link to open")
        self.assertFalse(Resource.objects.exists())

    def test_finance_and_advisors_cannot_manage_the_library(self) -> None:
        for user in (self.finance_fay, self.advisor_alice):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(reverse("admin:homes_resource_add"))
                self.assertIn(response.status_code, (302, 403))


class AdvisorLibraryTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.guide = a_file_resource()
        cls.hidden = a_file_resource("Draft guide", shown_to_advisors=False)
        cls.link = Resource.objects.create(
            title="Benefits advice", kind=Resource.Kind.PAYMENTS, link="https://example.org/b"
        )

    def test_alice_lists_the_library_in_sections_and_downloads_a_file(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.get(LIST)
        self.assertContains(response, "How payments and benefits work")
        self.assertContains(response, "Guide to claiming expenses")
        self.assertContains(response, "https://example.org/b")
        self.assertNotContains(response, "Draft guide")
        download = self.client.get(reverse("portal-resource", args=[self.guide.pk]))
        self.assertEqual(download.status_code, 200)
        self.assertEqual(b"".join(download.streaming_content), b"Keep your receipts.")
        self.assertIn("attachment", download["Content-Disposition"])

    def test_a_hidden_resource_is_not_found_for_advisors_but_the_pie_team_can_check_it(
        self,
    ) -> None:
        url = reverse("portal-resource", args=[self.hidden.pk])
        self.client.force_login(self.advisor_alice)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.staff_sam)
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_a_paused_advisor_keeps_the_library(self) -> None:
        Advisor.objects.filter(pk=self.alice.pk).update(status=Advisor.Status.PAUSED)
        self.client.force_login(self.advisor_alice)
        self.assertEqual(self.client.get(LIST).status_code, 200)
        url = reverse("portal-resource", args=[self.guide.pk])
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_a_left_advisor_is_refused(self) -> None:
        Advisor.objects.filter(pk=self.alice.pk).update(status=Advisor.Status.LEFT)
        self.client.force_login(self.advisor_alice)
        self.assertEqual(self.client.get(LIST).status_code, 403)
        url = reverse("portal-resource", args=[self.guide.pk])
        self.assertEqual(self.client.get(url).status_code, 403)

    def test_anonymous_visitors_and_other_roles_are_refused(self) -> None:
        url = reverse("portal-resource", args=[self.guide.pk])
        for address in (LIST, url):
            with self.subTest(url=address, user="anonymous"):
                response = self.client.get(address)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response.url.startswith(reverse("login")))
        for user in (self.researcher_rita, self.manager_mo, self.finance_fay, self.outsider_carol):
            for address in (LIST, url):
                with self.subTest(url=address, user=user.username):
                    self.client.force_login(user)
                    self.assertEqual(self.client.get(address).status_code, 403)

    def test_the_file_is_never_served_from_media_url(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.get(LIST)
        self.assertNotContains(response, settings.MEDIA_URL + "resources")
        self.assertNotContains(response, self.guide.file.name)
        direct = self.client.get("/" + settings.MEDIA_URL.strip("/") + "/" + self.guide.file.name)
        self.assertEqual(direct.status_code, 404)
