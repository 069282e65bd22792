"""The access census: every persona requests every URL in the URL conf, with the real ids of
other people's objects, and nothing leaks.

URLs are discovered from the resolver (tests/census.py), so the admin — every changelist,
change, history, import and export page — and every download (receipts, certificates,
papers, reports, statements, .ics, CSV and spreadsheet exports) is requested, and so is any
page added later. A leak is either:

- a page or file that shows data the persona must not see (the markers seeded into Bob's
  records, an applicant's, a confidential project's and staff-only files, per persona below);
- a role page, by the access matrix, opened (2xx) by a role it does not list, or a /staff/
  page by anyone outside the PIE team and finance;
- an admin page opened, or an admin import or export run, without the model permission it
  needs (view for lists, pages and exports; add and change for imports);
- a POST that a persona may not make, answered with anything but a refusal.

The figures (requests tried, leaks found) are printed: `pytest -s tests/test_access_census.py`.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ascru_pie.roles import Role
from tests.access_rules import MATRIX, PUBLIC, SIGNED_IN
from tests.base import BaseTestCase
from tests.census import (
    ADVERTISED,
    APPLICANT,
    BOB,
    CONFIDENTIAL,
    STAFF_ONLY,
    Route,
    body_of,
    census_unit,
    export_form_data,
    url_options,
)
from tests.census import routes as all_routes


def _named(owner: str, markers: dict) -> dict:
    return {f"{owner} {k}": v for k, v in markers.items()}


BOBS = _named("Bob's", BOB)
APPLICANTS = _named("applicant's", APPLICANT)
EVERYTHING = {
    **BOBS,
    **APPLICANTS,
    **_named("confidential project's", CONFIDENTIAL),
    **_named("staff-only", STAFF_ONLY),
}
SIGNED_OUT = {**EVERYTHING, **_named("advertised", ADVERTISED)}
BOB_PERSONAL = {
    f"Bob's {k}": BOB[k]
    for k in (
        "phone",
        "address",
        "support_needs",
        "staff_notes",
        "lived_experience_detail",
        "availability",
        "needs",
        "account_name",
        "account_number",
        "receipt",
    )
}
# What each persona must never be shown. The PIE team sees the register and every project;
# only finance sees full bank details; finance does not see support needs, staff notes or
# lived experience; the manager reads figures, not people's contact details or needs.
FORBIDDEN = {
    "anonymous": SIGNED_OUT,
    "carol": SIGNED_OUT,
    "nobody": SIGNED_OUT,
    "alice": EVERYTHING,
    "dave": EVERYTHING,
    "rita": EVERYTHING,
    "mo": {**BOB_PERSONAL, **APPLICANTS},
    "fay": {
        k: v
        for k, v in {**BOBS, **APPLICANTS}.items()
        if k.split()[-1] in ("support_needs", "staff_notes", "lived_experience_detail")
    },
    "sam": {"Bob's account_number": BOB["account_number"]},
}
ROLE_OF = {
    "alice": Role.ADVISOR,
    "dave": Role.ADVISOR,
    "rita": Role.RESEARCHER,
    "mo": Role.MANAGER,
    "fay": Role.FINANCE,
    "sam": Role.PIE_TEAM,
}
# What each admin action needs, by Django's model permissions.
ADMIN_NEEDS = {
    "changelist": ("view",),
    "change": ("view",),
    "history": ("view",),
    "simple_history": ("view",),
    "add": ("add",),
    "delete": ("delete",),
    "export": ("view",),
    "import": ("add", "change"),
    "process_import": ("add", "change"),
}
ADMIN_PUBLIC = {"admin:login", "admin:logout"}


def _refused(response) -> bool:
    if response.status_code in (400, 403, 404, 405):
        return True
    location = response.get("Location", "")
    return response.status_code == 302 and ("login" in location or "no-role" in location)


class AccessCensusTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        census_unit(cls)

    def setUp(self) -> None:
        super().setUp()
        self.personas = {
            "anonymous": None,
            "carol": self.outsider_carol,
            "nobody": self.nobody,
            "alice": self.advisor_alice,
            "dave": self.advisor_dave,
            "rita": self.researcher_rita,
            "mo": self.manager_mo,
            "fay": self.finance_fay,
            "sam": self.staff_sam,
        }
        self.tried = 0
        self.leaks: list[str] = []
        self.errors: list[str] = []
        # A page that fails is counted and listed, and the census goes on.
        self.client.raise_request_exception = False

    def sign_in(self, name: str) -> None:
        self.client.logout()
        if self.personas[name] is not None:
            self.client.force_login(self.personas[name])

    def leak(self, persona: str, method: str, url: str, status: int, why: str) -> None:
        self.leaks.append(f"{persona:9} {method} {url} -> {status}: {why}")

    # --- the rules -----------------------------------------------------------------------

    def allowed(self, persona: str, route: Route) -> bool | None:
        """Whether the persona may open the route; None where only the markers decide."""
        user = self.personas[persona]
        if route.is_admin:
            if route.name in ADMIN_PUBLIC:
                return True
            if user is None or not user.is_staff:
                return False
            found = route.admin_model()
            if found is None:
                return None  # index, app list, password change: the markers decide
            model, action = found
            needs = ADMIN_NEEDS.get(action, ("change",))
            opts = model._meta
            if needs == ("view",):
                return user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
                    f"{opts.app_label}.change_{opts.model_name}"
                )
            return all(user.has_perm(f"{opts.app_label}.{n}_{opts.model_name}") for n in needs)
        entry = MATRIX.get(route.name)
        if entry is not None:
            if entry.access == PUBLIC:
                return True
            if entry.access == SIGNED_IN:
                return user is not None
            return str(ROLE_OF.get(persona)) in entry.access
        if route.path.startswith("staff/"):
            return ROLE_OF.get(persona) in (Role.PIE_TEAM, Role.FINANCE)
        return None

    def check(self, persona: str, method: str, url: str, response, allowed: bool | None) -> None:
        self.tried += 1
        status = response.status_code
        if status >= 500:
            self.errors.append(f"{persona:9} {method} {url} -> {status}")
        body = body_of(response)
        if 200 <= status < 300:
            text = body.decode("utf-8", "replace")
            seen = sorted(k for k, marker in FORBIDDEN[persona].items() if marker in text)
            if seen:
                self.leak(persona, method, url, status, "shows " + ", ".join(seen))
        if allowed is False and not _refused(response):
            self.leak(persona, method, url, status, "not refused")

    # --- the census ----------------------------------------------------------------------

    def census(self, persona: str) -> None:
        routes = all_routes()
        self.sign_in(persona)
        for route in routes:
            allowed = self.allowed(persona, route)
            for url in url_options(route):
                self.check(persona, "GET", url, self.client.get(url), allowed)
                if allowed is False and not route.is_admin:
                    self.check(persona, "POST", url, self.client.post(url, {}), allowed)
        self.admin_files(persona, routes)
        print(
            f"\naccess census, {persona}: {len(routes)} URL patterns, {self.tried} requests, "
            f"{len(self.leaks)} leaks, {len(self.errors)} server errors"
        )
        self.assertEqual(self.leaks, [], "\n".join(self.leaks))
        self.assertEqual(self.errors, [], "\n".join(self.errors))
        # The census really asked: every URL pattern, with ids, as this persona.
        self.assertGreater(self.tried, len(routes))

    def admin_files(self, persona: str, routes: list[Route]) -> None:
        """Run every admin export (as CSV, every column) and import (an upload) for real."""
        for route in routes:
            found = route.admin_model() if route.is_admin else None
            if not found or found[1] not in ("export", "import"):
                continue
            url = reverse(route.name)
            allowed = self.allowed(persona, route)
            if found[1] == "export":
                response = self.client.post(url, export_form_data(self.client, url))
            else:
                upload = SimpleUploadedFile("rows.csv", b"id\n")
                response = self.client.post(url, {"format": "0", "import_file": upload})
            self.check(persona, "POST", url, response, allowed)
            if (
                allowed
                and found[1] == "export"
                and "attachment" not in response.get("Content-Disposition", "")
            ):
                self.errors.append(f"{persona:9} POST {url}: no file ({response.status_code})")

    def test_the_census_sees_a_leak(self) -> None:
        # Self-check: Bob's support needs shown to Alice, and a staff page opened by her,
        # are both counted.
        class Shown:
            status_code = 200
            streaming = False
            content = f"<p>{BOB['support_needs']}</p>".encode()

            def get(self, name, default=""):
                return default

        route = next(r for r in all_routes() if r.name == "payments:claims")
        self.check("alice", "GET", "/x/", Shown(), self.allowed("alice", route))
        self.assertEqual(len(self.leaks), 2, self.leaks)
        self.assertIn("support_needs", self.leaks[0])
        self.assertIn("not refused", self.leaks[1])


# One test per persona, so that a parallel run shares them out.
for _persona in FORBIDDEN:
    setattr(
        AccessCensusTest,
        f"test_{_persona}_gets_nothing_it_should_not",
        lambda self, persona=_persona: self.census(persona),
    )
