"""The visitor's address: proxy headers count only when a configured proxy sent them."""

from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings
from django.urls import reverse

from advisors.models import Application, LivedExperience
from ascru_pie.lib.net import client_ip

APPLY = reverse("advisors:apply")
PROXY = "10.0.0.5"


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


class ClientIpTest(SimpleTestCase):
    @override_settings(TRUSTED_PROXIES=[])
    def test_with_no_trusted_proxies_the_header_is_ignored(self) -> None:
        self.assertEqual(client_ip(request_from("203.0.113.9", "198.51.100.1")), "203.0.113.9")

    @override_settings(TRUSTED_PROXIES=[PROXY])
    def test_a_header_from_an_untrusted_client_is_ignored(self) -> None:
        self.assertEqual(client_ip(request_from("203.0.113.9", "198.51.100.1")), "203.0.113.9")

    @override_settings(TRUSTED_PROXIES=[PROXY])
    def test_behind_a_trusted_proxy_the_address_it_appended_counts(self) -> None:
        # The visitor sent "1.2.3.4" themselves; our proxy appended what it saw.
        request = request_from(PROXY, "1.2.3.4, 203.0.113.9")
        self.assertEqual(client_ip(request), "203.0.113.9")

    @override_settings(TRUSTED_PROXIES=["10.0.0.0/8", "2001:db8::/32"])
    def test_networks_are_trusted_and_every_one_of_our_hops_is_skipped(self) -> None:
        request = request_from("2001:db8::1", "1.2.3.4, 203.0.113.9, 10.1.2.3")
        self.assertEqual(client_ip(request), "203.0.113.9")

    @override_settings(TRUSTED_PROXIES=[PROXY])
    def test_a_trusted_proxy_without_the_header_is_the_address(self) -> None:
        self.assertEqual(client_ip(request_from(PROXY)), PROXY)


def application(email: str) -> dict:
    return {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": email,
        "contact_method": "email",
        "contact_format": "standard",
        "lived_experience": [LivedExperience.objects.get(code="unpaid_carer").pk],
        "consent": "on",
        "website": "",
    }


@override_settings(APPLY_LIMIT_PER_HOUR=2, TRUSTED_PROXIES=[PROXY])
class ApplyRateLimitTest(TestCase):
    def test_a_spoofed_header_does_not_escape_the_limit(self) -> None:
        for n in range(2):
            self.client.post(
                APPLY,
                application(f"p{n}@example.org"),
                REMOTE_ADDR="203.0.113.9",
                HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
            )
        response = self.client.post(
            APPLY,
            application("p3@example.org"),
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR="198.51.100.77",
        )
        self.assertContains(response, "Please wait an hour and try again", status_code=429)
        self.assertEqual(Application.objects.count(), 2)

    def test_behind_the_proxy_each_visitor_has_their_own_limit(self) -> None:
        for n in range(2):
            self.client.post(
                APPLY,
                application(f"p{n}@example.org"),
                REMOTE_ADDR=PROXY,
                HTTP_X_FORWARDED_FOR="203.0.113.9",
            )
        # The same visitor again, with a made-up address in front of the proxy's entry.
        response = self.client.post(
            APPLY,
            application("p3@example.org"),
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9",
        )
        self.assertEqual(response.status_code, 429)
        # Another visitor behind the same proxy is not affected.
        response = self.client.post(
            APPLY,
            application("p4@example.org"),
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Application.objects.count(), 3)
