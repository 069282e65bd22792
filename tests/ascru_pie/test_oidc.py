"""University sign-in (OpenID Connect) against a small fake provider on a local port.

The provider serves discovery, an authorize endpoint that sends the browser back with a code,
a token endpoint whose id_token is signed by the key published at its jwks_uri, and userinfo.
The test client follows the redirects by hand, the way a browser would.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import requests
from allauth.mfa.totp.internal.auth import TOTP
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import override_settings
from django.urls import reverse

from ascru_pie.accounts import UNIVERSITY_PROVIDER_ID
from ascru_pie.models import User
from tests.base import BaseTestCase, PasswordOnlyClient, make_user

CLIENT_ID = "ascru-pie-test"
CLIENT_SECRET = "fake-provider-secret"


class FakeProvider:
    """An OpenID Connect provider that signs in whoever `person` says (sub, email, verified)."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.person = {"sub": "u-1", "email": "sam@example.org", "email_verified": True}
        self.codes: dict[str, dict] = {}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _json(self, body: dict, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._json(provider.configuration())
                elif url.path == "/jwks":
                    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                    self._json({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]})
                elif url.path == "/authorize":
                    code = f"code-{len(provider.codes) + 1}"
                    provider.codes[code] = {"nonce": query.get("nonce"), **provider.person}
                    target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                elif url.path == "/userinfo":
                    self._json(dict(provider.person))
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if self.path != "/token" or form.get("client_secret") != CLIENT_SECRET:
                    self._json({"error": "invalid_client"}, 401)
                    return
                grant = provider.codes.pop(form.get("code"), None)
                if grant is None:
                    self._json({"error": "invalid_grant"}, 400)
                    return
                self._json(
                    {
                        "access_token": "access-1",
                        "token_type": "Bearer",
                        "expires_in": 3600,
                        "id_token": provider.id_token(grant),
                    }
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def configuration(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def id_token(self, grant: dict) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 300, **grant}
        if not claims.get("nonce"):
            claims.pop("nonce", None)
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})

    def providers_setting(self) -> dict:
        return {
            "openid_connect": {
                "OAUTH_PKCE_ENABLED": True,
                "APPS": [
                    {
                        "provider_id": UNIVERSITY_PROVIDER_ID,
                        "name": "University sign-in",
                        "client_id": CLIENT_ID,
                        "secret": CLIENT_SECRET,
                        "settings": {"server_url": self.url},
                    }
                ],
            }
        }


class UniversitySignInTest(BaseTestCase):
    client_class = PasswordOnlyClient

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.provider = FakeProvider()
        cls.provider.thread.start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.provider.server.shutdown()
        cls.provider.server.server_close()
        super().tearDownClass()

    def setUp(self) -> None:
        settings = override_settings(SOCIALACCOUNT_PROVIDERS=self.provider.providers_setting())
        settings.enable()
        self.addCleanup(settings.disable)

    def sign_in_with_university(self, **person):
        """Press the button, sign in at the provider, come back: the final response here."""
        self.provider.person = {"sub": "u-1", "email_verified": True, **person}
        start = reverse("openid_connect_login", kwargs={"provider_id": UNIVERSITY_PROVIDER_ID})
        response = self.client.post(start)
        self.assertEqual(response.status_code, 302)
        authorize = response["Location"]
        self.assertTrue(authorize.startswith(f"{self.provider.url}/authorize?"), authorize)
        back = requests.get(authorize, allow_redirects=False, timeout=5)
        self.assertEqual(back.status_code, 302)
        callback = urlparse(back.headers["Location"])
        return self.client.get(f"{callback.path}?{callback.query}")

    def test_the_button_shows_only_when_a_provider_is_configured(self) -> None:
        self.assertContains(self.client.get(reverse("login")), "University sign-in")
        with override_settings(SOCIALACCOUNT_PROVIDERS={"openid_connect": {"APPS": []}}):
            self.assertNotContains(self.client.get(reverse("login")), "University sign-in")

    def test_staff_sign_in_with_the_university_and_it_counts_as_two_factors(self) -> None:
        response = self.sign_in_with_university(email="SAM@example.org")
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(self.client.session["_auth_user_id"], str(self.staff_sam.pk))
        for path in ["/staff/", "/admin/", "/reports/", "/impacts/"]:
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 200)
        # The second time, the account is already linked.
        self.client.logout()
        response = self.sign_in_with_university(email="sam@example.org")
        self.assertEqual(self.client.session["_auth_user_id"], str(self.staff_sam.pk))

    def test_advisors_are_refused_with_a_clear_message(self) -> None:
        response = self.sign_in_with_university(email="alice@example.org")
        self.assertContains(response, "You cannot sign in this way", status_code=403)
        self.assertContains(response, "sign in with your username and password", status_code=403)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_unknown_people_are_refused_and_get_no_account(self) -> None:
        before = User.objects.count()
        response = self.sign_in_with_university(email="stranger@example.org", sub="u-9")
        self.assertContains(response, "You cannot sign in this way", status_code=403)
        self.assertEqual(User.objects.count(), before)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_an_unverified_email_is_not_enough(self) -> None:
        response = self.sign_in_with_university(email="sam@example.org", email_verified=False)
        self.assertContains(response, "You cannot sign in this way", status_code=403)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_two_accounts_with_one_email_are_refused(self) -> None:
        make_user("sam2", is_staff=True).groups.set(self.staff_sam.groups.all())
        User.objects.filter(username="sam2").update(email="sam@example.org")
        response = self.sign_in_with_university(email="sam@example.org")
        self.assertContains(response, "You cannot sign in this way", status_code=403)

    def test_staff_with_an_app_are_not_asked_for_its_code_after_university_sign_in(self) -> None:
        TOTP.activate(self.staff_sam, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        response = self.sign_in_with_university(email="sam@example.org")
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/staff/").status_code, 200)
