"""Who may open which page: every URL in the project, by role.

Add every new URL name to MATRIX. The census test fails when a URL exists that the
matrix does not list, so a page cannot ship without an access rule and a test.

For each entry that is checked generically:
- anonymous visitors are sent to the login page (unless the page is public);
- every signed-in role that is not allowed gets 403;
- every allowed role gets 200;
- where `others` is given (someone else's object), allowed roles that do not own it get 404.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ascru_pie.roles import Role
from tests.base import BaseTestCase
from tests.factories import (
    TrainingFactory,
    a_batch,
    alice_certificate,
    alice_claim,
    alice_failed_certificate,
    alice_impact,
    alice_meeting,
    alice_paper,
    approved_batch,
    bob_certificate,
    bob_claim,
    bob_impact,
    bob_meeting,
    bob_paper,
    done_annual,
    failed_annual,
    held_meeting,
    impact_with_evidence,
    meeting_to_cancel,
    open_survey,
    other_project,
    rita_opportunity,
    rita_project,
    rita_submitted_project,
)

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed-in"  # any signed-in person, whatever their role
ALL_ROLES = [Role.PIE_TEAM, Role.ADVISOR, Role.RESEARCHER, Role.MANAGER, Role.FINANCE]


@dataclass
class Entry:
    access: str | frozenset
    kwargs: Callable[[BaseTestCase], dict] | None = None
    # kwargs naming an object that belongs to somebody else: allowed roles get 404.
    others: Callable[[BaseTestCase], dict] | None = None
    # Checked by a dedicated test instead of the generic table; say where.
    special: str = ""
    method: str = "get"
    # What an allowed role gets: 200, or 302 for actions that redirect when done.
    ok: int = 200
    # Form data for POST entries.
    data: dict | None = None
    # Roles that may open anyone's object (the others get 404 on someone else's).
    sees_all: frozenset = frozenset({"pie_team"})
    # Per-role kwargs, where each role's own object differs (e.g. an advisor's own document).
    kwargs_for: dict | None = None


def roles(*names: str) -> frozenset:
    return frozenset(str(n) for n in names)


MATRIX: dict[str, Entry] = {
    # --- public and account pages
    "home": Entry(PUBLIC, special="redirects by role: tests/ascru_pie/test_login.py"),
    "healthz": Entry(PUBLIC),
    "login": Entry(PUBLIC),
    "logout": Entry(PUBLIC, special="POST only: tests/ascru_pie/test_login.py"),
    "password_change": Entry(SIGNED_IN),
    "password_change_done": Entry(SIGNED_IN),
    "password_reset": Entry(PUBLIC),
    "password_reset_done": Entry(PUBLIC),
    "password_reset_confirm": Entry(
        PUBLIC, special="needs a token: tests/ascru_pie/test_password_reset.py"
    ),
    "password_reset_complete": Entry(PUBLIC),
    "invitation-accept": Entry(PUBLIC, special="needs a token: tests/ascru_pie/test_invitation.py"),
    "no-role": Entry(
        SIGNED_IN, special="403 by design for people with no role: tests/ascru_pie/test_login.py"
    ),
    # --- role homes
    "staff-home": Entry(roles(Role.PIE_TEAM, Role.FINANCE)),
    "portal-home": Entry(roles(Role.ADVISOR)),
    # --- advisors: the open application process (public)
    "advisors:apply": Entry(PUBLIC),
    "advisors:apply-thanks": Entry(PUBLIC),
    "advisors:privacy-notice": Entry(PUBLIC),
    # --- advisors: portal (own records only) and aggregates
    "advisors:profile": Entry(roles(Role.ADVISOR)),
    "advisors:training-certificate": Entry(
        roles(Role.ADVISOR, Role.PIE_TEAM),
        kwargs=lambda tc: {"pk": TrainingFactory(advisor=tc.alice).pk},
        others=lambda tc: {"pk": TrainingFactory(advisor=tc.bob).pk},
    ),
    "advisors:equality-summary": Entry(roles(Role.PIE_TEAM, Role.MANAGER)),
    # --- projects: researcher pages (own projects; PIE team reads all, edits none)
    "projects:home": Entry(roles(Role.RESEARCHER, Role.PIE_TEAM)),
    "projects:detail": Entry(
        roles(Role.RESEARCHER, Role.PIE_TEAM), kwargs=rita_project, others=other_project
    ),
    "projects:plan": Entry(
        roles(Role.RESEARCHER, Role.PIE_TEAM), kwargs=rita_project, others=other_project
    ),
    "projects:plan-version": Entry(
        roles(Role.RESEARCHER, Role.PIE_TEAM),
        kwargs=lambda tc: {**rita_project(tc), "version": 1},
        others=lambda tc: {**other_project(tc), "version": 1},
    ),
    "projects:plan-edit": Entry(roles(Role.RESEARCHER), kwargs=rita_project, others=other_project),
    "projects:plan-start": Entry(
        roles(Role.RESEARCHER), kwargs=rita_project, others=other_project, method="post", ok=302
    ),
    "projects:plan-budget": Entry(
        roles(Role.RESEARCHER), kwargs=rita_project, others=other_project, method="post"
    ),
    "projects:plan-submit": Entry(
        roles(Role.RESEARCHER), kwargs=rita_project, others=other_project, method="post", ok=302
    ),
    "projects:plan-review": Entry(roles(Role.PIE_TEAM), kwargs=rita_submitted_project),
    "projects:opportunity-create": Entry(
        roles(Role.RESEARCHER, Role.PIE_TEAM), kwargs=rita_project, others=other_project
    ),
    "projects:opportunity-select": Entry(roles(Role.PIE_TEAM), kwargs=rita_opportunity),
    "projects:outputs": Entry(
        roles(Role.RESEARCHER, Role.PIE_TEAM), kwargs=rita_project, others=other_project
    ),
    # --- projects: advisor portal
    "projects:portal-opportunities": Entry(roles(Role.ADVISOR)),
    "projects:portal-opportunity": Entry(roles(Role.ADVISOR), kwargs=rita_opportunity),
    # --- meetings: staff pages (PIE team)
    "meetings:list": Entry(roles(Role.PIE_TEAM)),
    "meetings:detail": Entry(roles(Role.PIE_TEAM), kwargs=alice_meeting),
    "meetings:roster-csv": Entry(roles(Role.PIE_TEAM), kwargs=alice_meeting),
    "meetings:invite": Entry(roles(Role.PIE_TEAM), kwargs=alice_meeting),
    "meetings:agenda": Entry(roles(Role.PIE_TEAM), kwargs=alice_meeting),
    "meetings:cancel": Entry(roles(Role.PIE_TEAM), kwargs=meeting_to_cancel, method="post", ok=302),
    "payments:attendance": Entry(roles(Role.PIE_TEAM), kwargs=held_meeting),
    # --- meetings: invitees and staff
    "meetings:ics": Entry(
        roles(Role.PIE_TEAM, Role.ADVISOR), kwargs=alice_meeting, others=bob_meeting
    ),
    "meetings:paper": Entry(
        roles(Role.PIE_TEAM, Role.ADVISOR), kwargs=alice_paper, others=bob_paper
    ),
    # --- meetings: advisor portal (own invitations only)
    "meetings:portal-list": Entry(roles(Role.ADVISOR)),
    "meetings:portal-detail": Entry(roles(Role.ADVISOR), kwargs=alice_meeting, others=bob_meeting),
    "meetings:portal-propose": Entry(
        roles(Role.ADVISOR),
        kwargs=alice_meeting,
        others=bob_meeting,
        method="post",
        ok=302,
        data={"title": "Transport to meetings", "description": "", "speaker": "Me"},
    ),
    # --- payments: advisor portal (own claims only)
    "payments:portal": Entry(roles(Role.ADVISOR)),
    "payments:portal-expense": Entry(roles(Role.ADVISOR)),
    "payments:portal-time": Entry(roles(Role.ADVISOR)),
    "payments:portal-preferences": Entry(roles(Role.ADVISOR)),
    "payments:portal-statement": Entry(roles(Role.ADVISOR), kwargs=lambda tc: {"year": 2026}),
    "payments:receipt": Entry(
        roles(Role.ADVISOR, Role.PIE_TEAM, Role.FINANCE),
        kwargs=alice_claim,
        others=bob_claim,
        sees_all=roles(Role.PIE_TEAM, Role.FINANCE),
    ),
    # --- payments: staff (PIE team and finance)
    "payments:claims": Entry(roles(Role.PIE_TEAM, Role.FINANCE)),
    "payments:claim": Entry(roles(Role.PIE_TEAM, Role.FINANCE), kwargs=alice_claim),
    "payments:claim-new": Entry(roles(Role.PIE_TEAM, Role.FINANCE)),
    "payments:claim-unbatch": Entry(
        roles(Role.PIE_TEAM, Role.FINANCE),
        kwargs=alice_claim,
        method="post",
        ok=302,
        data={"reason": "Bank returned the payment"},
    ),
    "payments:batches": Entry(roles(Role.PIE_TEAM, Role.FINANCE)),
    "payments:batch": Entry(roles(Role.PIE_TEAM, Role.FINANCE), kwargs=a_batch),
    "payments:batch-export": Entry(roles(Role.PIE_TEAM, Role.FINANCE), kwargs=approved_batch),
    "payments:paid-import": Entry(roles(Role.PIE_TEAM, Role.FINANCE)),
    "payments:budgets": Entry(roles(Role.PIE_TEAM, Role.FINANCE)),
    # --- impacts: researcher pages (own projects; PIE team all)
    "impacts:project": Entry(
        roles(Role.RESEARCHER, Role.PIE_TEAM), kwargs=rita_project, others=other_project
    ),
    "impacts:record": Entry(
        roles(Role.RESEARCHER, Role.PIE_TEAM), kwargs=rita_project, others=other_project
    ),
    "impacts:evidence": Entry(
        roles(Role.RESEARCHER, Role.PIE_TEAM),
        kwargs=lambda tc: {
            **rita_project(tc),
            "impact_pk": impact_with_evidence(tc, rita_project(tc)["pk"]),
        },
        others=lambda tc: {
            **other_project(tc),
            "impact_pk": impact_with_evidence(tc, other_project(tc)["pk"]),
        },
    ),
    "impacts:gripp": Entry(
        roles(Role.RESEARCHER, Role.PIE_TEAM), kwargs=rita_project, others=other_project
    ),
    "impacts:gripp-export": Entry(
        roles(Role.RESEARCHER, Role.PIE_TEAM), kwargs=rita_project, others=other_project
    ),
    # --- impacts: the database
    "impacts:search": Entry(roles(Role.PIE_TEAM, Role.RESEARCHER, Role.MANAGER)),
    "impacts:export": Entry(roles(Role.PIE_TEAM, Role.RESEARCHER, Role.MANAGER)),
    "impacts:follow-up": Entry(roles(Role.PIE_TEAM)),
    "impacts:feedback": Entry(roles(Role.PIE_TEAM, Role.MANAGER)),
    # --- impacts: advisor portal
    "impacts:portal": Entry(roles(Role.ADVISOR)),
    "impacts:portal-reflection": Entry(roles(Role.ADVISOR), kwargs=alice_impact, others=bob_impact),
    "impacts:portal-surveys": Entry(roles(Role.ADVISOR)),
    "impacts:portal-survey": Entry(roles(Role.ADVISOR), kwargs=open_survey),
    # --- reports: the manager's home and report requests
    "reports:home": Entry(roles(Role.MANAGER, Role.PIE_TEAM)),
    "reports:request": Entry(
        roles(Role.MANAGER, Role.PIE_TEAM),
        method="post",
        ok=302,
        data={"kind": "annual", "year": "2026"},
    ),
    # Staff read staff reports; an advisor only their own documents (someone else's: 404).
    "reports:status": Entry(
        roles(Role.MANAGER, Role.PIE_TEAM, Role.ADVISOR),
        kwargs=done_annual,
        others=bob_certificate,
        kwargs_for={"advisor": alice_certificate},
    ),
    "reports:download": Entry(
        roles(Role.MANAGER, Role.PIE_TEAM, Role.ADVISOR),
        kwargs=done_annual,
        others=bob_certificate,
        kwargs_for={"advisor": alice_certificate},
    ),
    "reports:retry": Entry(
        roles(Role.MANAGER, Role.PIE_TEAM, Role.ADVISOR),
        kwargs=failed_annual,
        others=bob_certificate,
        kwargs_for={"advisor": alice_failed_certificate},
        method="post",
        ok=302,
    ),
    # --- reports: advisor documents and PIE team pages
    "reports:portal": Entry(roles(Role.ADVISOR)),
    "reports:reference": Entry(roles(Role.PIE_TEAM), kwargs=lambda tc: {"pk": tc.alice.pk}),
    "reminders:log": Entry(roles(Role.PIE_TEAM)),
}


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
