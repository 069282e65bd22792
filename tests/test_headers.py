"""Security headers: a Content Security Policy with no inline script or style, a
Permissions-Policy, and `Cache-Control: private, no-store` on every response to a signed-in
person and on every download, while static files and anonymous public pages keep caching."""

import os
import subprocess
import sys

from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from tests.base import BaseTestCase, make_user
from tests.factories import TrainingFactory, alice_claim, alice_meeting, alice_paper


def _cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


class ContentSecurityPolicyTest(BaseTestCase):
    def _policy(self, response) -> dict[str, list[str]]:
        header = response["Content-Security-Policy"]
        return {
            directive.split()[0]: directive.split()[1:]
            for directive in header.split(";")
            if directive.strip()
        }

    def test_every_page_allows_only_our_own_scripts_and_styles(self):
        self.client.force_login(self.advisor_alice)
        response = self.client.get(reverse("portal-home"))
        self.assertEqual(response.status_code, 200)
        policy = self._policy(response)
        self.assertEqual(policy["default-src"], ["'self'"])
        self.assertEqual(policy["script-src"], ["'self'"])
        self.assertEqual(policy["style-src"], ["'self'"])
        self.assertEqual(policy["object-src"], ["'none'"])
        self.assertEqual(policy["frame-ancestors"], ["'none'"])
        self.assertEqual(policy["form-action"], ["'self'"])
        self.assertEqual(policy["base-uri"], ["'self'"])
        self.assertEqual(policy["img-src"], ["'self'", "data:"])
        self.assertNotIn("unsafe-inline", response["Content-Security-Policy"])
        self.assertNotIn("unsafe-eval", response["Content-Security-Policy"])
        self.assertNotIn("Content-Security-Policy-Report-Only", response)

    def test_public_and_admin_pages_carry_it_too(self):
        self.assertIn("Content-Security-Policy", self.client.get(reverse("advisors:apply")))
        self.client.force_login(make_user("root", is_staff=True, is_superuser=True))
        self.assertIn("Content-Security-Policy", self.client.get(reverse("admin:index")))

    def test_our_pages_have_no_inline_script_or_style(self):
        """The pages a browser test cannot reach quickly: their HTML, read for inline code."""
        self.client.force_login(self.advisor_alice)
        pages = [
            reverse("portal-home"),
            reverse("advisors:profile"),
            reverse("payments:portal"),
            reverse("payments:portal-expense"),
            reverse("payments:portal-time"),
            reverse("meetings:portal-detail", kwargs=alice_meeting(self)),
        ]
        for url in pages:
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                self.assertNotRegex(html, r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")
                self.assertNotIn("<style", html)
                self.assertNotRegex(html, r"\sstyle=")
                self.assertNotRegex(html, r"\son[a-z]+=")

    def test_report_only_mode_is_switched_by_an_environment_variable(self):
        code = (
            "from django.conf import settings as s; "
            "print(hasattr(s, 'CONTENT_SECURITY_POLICY'), "
            "hasattr(s, 'CONTENT_SECURITY_POLICY_REPORT_ONLY'))"
        )
        for value, expected in (("1", "False True"), ("0", "True False")):
            with self.subTest(CSP_REPORT_ONLY=value):
                env = {**os.environ, "CSP_REPORT_ONLY": value}
                env["DJANGO_SETTINGS_MODULE"] = "ascru_pie.settings.test"
                result = subprocess.run(
                    [sys.executable, "-c", f"import django; django.setup(); {code}"],
                    env=env,
                    capture_output=True,
                    text=True,
                    cwd=settings.BASE_DIR,
                    check=True,
                )
                self.assertEqual(result.stdout.strip(), expected)


class PermissionsPolicyTest(BaseTestCase):
    def test_camera_microphone_location_payment_and_usb_are_off_on_every_page(self):
        for user in (None, self.advisor_alice):
            if user:
                self.client.force_login(user)
            response = self.client.get(reverse("advisors:apply"))
            policy = response["Permissions-Policy"]
            for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
                self.assertIn(f"{feature}=()", policy)


class NoStoreTest(BaseTestCase):
    def assert_no_store(self, response) -> None:
        self.assertTrue(
            {"private", "no-store"} <= _cache_control(response), response.get("Cache-Control")
        )

    def test_the_advisor_portal_is_never_stored(self):
        self.client.force_login(self.advisor_alice)
        response = self.client.get(reverse("portal-home"))
        self.assertEqual(response.status_code, 200)
        self.assert_no_store(response)

    def test_staff_pages_are_never_stored(self):
        self.client.force_login(self.staff_sam)
        self.assert_no_store(self.client.get(reverse("staff-home")))

    def test_admin_pages_are_never_stored(self):
        self.client.force_login(make_user("root", is_staff=True, is_superuser=True))
        response = self.client.get(reverse("admin:advisors_advisor_changelist"))
        self.assertEqual(response.status_code, 200)
        self.assert_no_store(response)

    def test_downloads_with_personal_data_are_never_stored(self):
        self.client.force_login(self.advisor_alice)
        training = TrainingFactory(advisor=self.alice)
        downloads = [
            reverse("payments:receipt", kwargs=alice_claim(self)),
            reverse("advisors:training-certificate", args=[training.pk]),
            reverse("meetings:paper", kwargs=alice_paper(self)),
            reverse("meetings:ics", kwargs=alice_meeting(self)),
        ]
        for url in downloads:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response["Content-Disposition"].startswith("attachment"))
                self.assert_no_store(response)

    def test_the_public_application_page_keeps_normal_caching(self):
        response = self.client.get(reverse("advisors:apply"))
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("no-store", _cache_control(response))

    @override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
    def test_static_files_keep_their_caching_even_for_a_signed_in_person(self):
        self.client.force_login(self.advisor_alice)
        response = self.client.get("/" + settings.STATIC_URL.strip("/") + "/css/app.css")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("no-store", _cache_control(response))
        self.assertIn("max-age", response.get("Cache-Control", ""))
