"""Who may open which page: every URL in the project, by role.

Add every new URL name to MATRIX. The census test fails when a URL exists that the
matrix does not list, so a page cannot ship without an access rule and a test.

For each entry that is checked generically:
- anonymous visitors are sent to the login page (unless the page is public);
- every signed-in role that is not allowed gets 403;
- every allowed role gets 200;
- where `others` is given (someone else's object), allowed roles that do not own it get 404.
"""

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_rules import ALL_ROLES, MATRIX, PUBLIC, SIGNED_IN, Entry
from tests.base import BaseTestCase


def _url_names(patterns, prefix: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _url_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            if p.name:
                yield f"{prefix}{p.name}"
            else:
                yield f"{prefix}<unnamed {p.pattern}>"


class URLCensusTest(BaseTestCase):
    def test_every_url_is_in_the_access_matrix(self) -> None:
        # The Django admin checks its own model permissions; tests/test_admin_access.py covers it.
        names = {n for n in _url_names(get_resolver().url_patterns) if not n.startswith("admin:")}
        missing = sorted(names - set(MATRIX))
        self.assertEqual(missing, [], "URLs with no access rule; add them to MATRIX")
        stale = sorted(set(MATRIX) - names)
        self.assertEqual(stale, [], "MATRIX lists URLs that no longer exist")


class AccessMatrixTest(BaseTestCase):
    def _request(self, entry: Entry, url: str):
        if entry.method == "post":
            return self.client.post(url, entry.data or {})
        return self.client.get(url)

    def _url(self, name: str, entry: Entry, which=None, role=None) -> str:
        builder = which or (entry.kwargs_for or {}).get(str(role)) or entry.kwargs
        return reverse(name, kwargs=builder(self) if builder else None)

    def test_anonymous_visitors_are_sent_to_login(self) -> None:
        for name, entry in MATRIX.items():
            if entry.special or entry.access == PUBLIC:
                continue
            with self.subTest(url=name):
                url = self._url(name, entry)
                response = getattr(self.client, entry.method)(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response.url.startswith(reverse("login")), response.url)

    def test_public_pages_open_to_anyone(self) -> None:
        for name, entry in MATRIX.items():
            if entry.special or entry.access != PUBLIC:
                continue
            with self.subTest(url=name):
                response = self._request(entry, self._url(name, entry))
                self.assertEqual(response.status_code, entry.ok)

    def test_each_role_gets_200_or_403(self) -> None:
        for name, entry in MATRIX.items():
            if entry.special or entry.access == PUBLIC:
                continue
            for role in ALL_ROLES:
                allowed = entry.access == SIGNED_IN or str(role) in entry.access
                with self.subTest(url=name, role=str(role)):
                    self.client.force_login(self.persona(role))
                    response = self._request(entry, self._url(name, entry, role=role))
                    self.assertEqual(response.status_code, entry.ok if allowed else 403)

    def test_someone_elses_object_is_404(self) -> None:
        for name, entry in MATRIX.items():
            if entry.special or entry.others is None:
                continue
            for role in ALL_ROLES:
                if str(role) not in entry.access or str(role) in entry.sees_all:
                    continue
                with self.subTest(url=name, role=str(role)):
                    self.client.force_login(self.persona(role))
                    response = self._request(entry, self._url(name, entry, entry.others))
                    self.assertEqual(response.status_code, 404)

    def test_person_with_no_role_gets_403_on_role_pages(self) -> None:
        self.client.force_login(self.outsider_carol)
        for name, entry in MATRIX.items():
            if entry.special or entry.access in (PUBLIC, SIGNED_IN):
                continue
            with self.subTest(url=name):
                response = self._request(entry, self._url(name, entry))
                self.assertEqual(response.status_code, 403)
