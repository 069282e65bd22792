"""The access matrix: which roles may open each URL (read by tests/test_access_matrix.py,
which checks every entry, and by the access census, tests/test_access_census.py)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile

from ascru_pie.roles import Role
from homes.models import Resource
from impacts.models import Standard
from projects.models import Output, Project
from reminders.models import Delivery
from reports.models import ReportExample
from tests.base import BaseTestCase
from tests.factories import (
    ProjectFactory,
    TrainingFactory,
    a_batch,
    alice_call,
    alice_certificate,
    alice_claim,
    alice_failed_certificate,
    alice_impact,
    alice_invitation,
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
    make_impact,
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


def a_resource_file(tc) -> dict:
    """A library file, made once per test (the title is unique)."""
    resource = Resource.objects.filter(title="Guide to meetings").first()
    if resource is None:
        resource = Resource(title="Guide to meetings")
        resource.file.save("guide.txt", ContentFile(b"How meetings work."), save=True)
    return {"pk": resource.pk}


def a_standard(tc) -> int:
    return Standard.objects.get(code="impact").pk


def an_example(tc) -> int:
    """An annual-report example (reports:evidence-example and -remove); made once per test."""
    example, _ = ReportExample.objects.get_or_create(
        year=2026, standard_id=a_standard(tc), text="Advisors changed the questions."
    )
    return example.pk


def a_failed_email(tc) -> dict:
    """An email reminder to Alice that could not be sent (reminders:failed-*); made once."""
    delivery, _ = Delivery.objects.get_or_create(
        key="rsvp-chase:failed-email",
        defaults={
            "kind": "rsvp-chase",
            "advisor": tc.alice,
            "recipient": "alice@example.org",
            "status": Delivery.Status.FAILED,
            "template": "reminder-rsvp-chase",
        },
    )
    return {"pk": delivery.pk}


def _output_of(project: dict, title: str) -> dict:
    output, _ = Output.objects.get_or_create(
        project_id=project["pk"], title=title, defaults={"kind": Output.Kind.PAPER}
    )
    return {"pk": project["pk"], "output_pk": output.pk}


def rita_output(tc) -> dict:
    """An output of Rita's project (projects:output-edit and -delete, issue 15)."""
    return _output_of(rita_project(tc), "Rita's paper")


def other_output(tc) -> dict:
    """An output of a project Rita is not on."""
    return _output_of(other_project(tc), "Someone else's paper")


def confidential_impact(tc) -> dict:
    """An impact on a confidential project Rita is not on (impacts:detail, issue 15)."""
    title = "Confidential other study"
    project = Project.objects.filter(title=title).first() or ProjectFactory(
        title=title, confidential=True
    )
    impact = project.impacts.first() or make_impact(project, tc.staff_sam)
    return {"pk": impact.pk}


def roles(*names: str) -> frozenset:
    return frozenset(str(n) for n in names)


MATRIX: dict[str, Entry] = {
    # --- public and account pages
    "home": Entry(PUBLIC, special="redirects by role: tests/ascru_pie/test_login.py"),
    "healthz": Entry(PUBLIC),
    "login": Entry(PUBLIC),
    "logout": Entry(PUBLIC, special="POST only: tests/ascru_pie/test_login.py"),
    "password_change": Entry(SIGNED_IN),
    "password_reset": Entry(PUBLIC),
    # django-allauth (issue 13, helper A1): sign-in, two factors, university sign-in.
    "password_change-old": Entry(PUBLIC, special="redirects: tests/ascru_pie/test_login.py"),
    "password_reset-old": Entry(PUBLIC, special="redirects: tests/ascru_pie/test_login.py"),
    **{
        name: Entry(PUBLIC)
        for name in [
            "account_login",
            "account_reset_password",
            "account_reset_password_done",
            "account_reset_password_from_key_done",
            "account_inactive",
            "account_signup",
            "socialaccount_login_cancelled",
        ]
    },
    **{
        name: Entry(SIGNED_IN)
        for name in ["account_change_password", "account_reauthenticate", "mfa_index"]
    },
    **{
        name: Entry(PUBLIC, special=why)
        for name, why in [
            ("account_logout", "POST only: tests/ascru_pie/test_login.py"),
            ("account_reset_password_from_key", "token: tests/ascru_pie/test_password_reset.py"),
            ("mfa_authenticate", "during sign-in only: tests/ascru_pie/test_mfa.py"),
            ("mfa_activate_totp", "two factors: tests/ascru_pie/test_mfa.py"),
            ("mfa_reauthenticate", "two factors: tests/ascru_pie/test_mfa.py"),
            ("mfa_deactivate_totp", "needs an app set up: allauth's own view"),
            ("mfa_view_recovery_codes", "two factors: tests/ascru_pie/test_mfa.py"),
            ("mfa_generate_recovery_codes", "needs an app set up: allauth's own view"),
            ("mfa_download_recovery_codes", "needs an app set up: allauth's own view"),
            ("socialaccount_login_error", "shown after a failed university sign-in"),
            ("openid_connect_login", "university sign-in: tests/ascru_pie/test_oidc.py"),
            ("openid_connect_callback", "university sign-in: tests/ascru_pie/test_oidc.py"),
            # allauth's pages for features we do not use (email management, codes, signup).
            ("account_confirm_email", "unused: ACCOUNT_EMAIL_VERIFICATION is none"),
            ("account_confirm_login_code", "unused: no sign-in by code"),
            ("account_confirm_reauthentication_code", "unused: no codes by email"),
            ("account_email", "unused: emails are managed by the PIE team"),
            ("account_email_verification_sent", "unused: no email verification"),
            ("account_request_reauthentication_code", "unused: no codes by email"),
            ("account_set_password", "unused: every account has a password"),
            ("socialaccount_connections", "unused: accounts are linked at sign-in"),
            ("socialaccount_signup", "closed: tests/ascru_pie/test_oidc.py"),
            ("<unnamed social/connections/>", "allauth's old address of the same view"),
            ("<unnamed social/login/cancelled/>", "allauth's old address of the same view"),
            ("<unnamed social/login/error/>", "allauth's old address of the same view"),
            ("<unnamed social/signup/>", "allauth's old address of the same view"),
        ]
    },
    "invitation-accept": Entry(PUBLIC, special="needs a token: tests/ascru_pie/test_invitation.py"),
    "no-role": Entry(
        SIGNED_IN, special="403 by design for people with no role: tests/ascru_pie/test_login.py"
    ),
    # --- role homes
    "staff-home": Entry(roles(Role.PIE_TEAM, Role.FINANCE)),
    # Superusers only (no role may open it): tests/homes/test_staff_home.py.
    "staff-system": Entry(roles()),
    "portal-home": Entry(roles(Role.ADVISOR)),
    # Issue 14 (H3): the researcher's home; the PIE team sees every project, a page at a time.
    "research-home": Entry(roles(Role.RESEARCHER, Role.PIE_TEAM)),
    # The advisors' library (helper H1): the PIE team opens files from the admin.
    "portal-resources": Entry(roles(Role.ADVISOR)),
    "portal-resource": Entry(roles(Role.ADVISOR, Role.PIE_TEAM), kwargs=a_resource_file),
    # --- advisors: the open application process (public)
    "advisors:apply": Entry(PUBLIC),
    "advisors:apply-thanks": Entry(PUBLIC),
    "advisors:privacy-notice": Entry(PUBLIC),
    # --- advisors: portal (own records only) and aggregates
    "advisors:profile": Entry(roles(Role.ADVISOR)),
    # Helper C (issue 13): the advisor's own contact consent.
    "advisors:consent": Entry(roles(Role.ADVISOR)),
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
    # Issue 14 (H3): undoing a selection (redirects back while nobody is selected yet) and
    # ticking off a call or letter telling an advisor the decision.
    "projects:opportunity-undo": Entry(roles(Role.PIE_TEAM), kwargs=rita_opportunity, ok=302),
    "projects:interest-told": Entry(
        roles(Role.PIE_TEAM),
        special="POST for one interest: tests/projects/test_opportunity_selection.py",
    ),
    "projects:outputs": Entry(
        roles(Role.RESEARCHER, Role.PIE_TEAM), kwargs=rita_project, others=other_project
    ),
    # Issue 15 (W3): change or delete an output (GET of delete asks first).
    "projects:output-edit": Entry(
        roles(Role.RESEARCHER, Role.PIE_TEAM), kwargs=rita_output, others=other_output
    ),
    "projects:output-delete": Entry(
        roles(Role.RESEARCHER, Role.PIE_TEAM), kwargs=rita_output, others=other_output
    ),
    # --- projects: advisor portal
    "projects:portal-opportunities": Entry(roles(Role.ADVISOR)),
    "projects:portal-opportunity": Entry(roles(Role.ADVISOR), kwargs=rita_opportunity),
    # --- meetings: staff pages (PIE team)
    "meetings:list": Entry(roles(Role.PIE_TEAM)),
    "meetings:detail": Entry(roles(Role.PIE_TEAM), kwargs=alice_meeting),
    "meetings:roster-csv": Entry(roles(Role.PIE_TEAM), kwargs=alice_meeting),
    "reminders:meeting-invite": Entry(roles(Role.PIE_TEAM), kwargs=alice_meeting),
    "reminders:rsvp-record": Entry(
        roles(Role.PIE_TEAM),
        kwargs=alice_invitation,
        method="post",
        ok=302,
        data={"rsvp": "yes", "how": "phone"},
    ),
    "meetings:agenda": Entry(roles(Role.PIE_TEAM), kwargs=alice_meeting),
    "reminders:meeting-cancel": Entry(
        roles(Role.PIE_TEAM), kwargs=meeting_to_cancel, method="post", ok=302
    ),
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
    # Finance sees central budgets; only the PIE team saves them (tests/payments/test_central_budgets.py).
    "payments:central-budgets": Entry(roles(Role.PIE_TEAM, Role.FINANCE)),
    # Finance only (issue 14): the PIE team sees the last four digits in the advisor admin.
    "payments:bank-details": Entry(roles(Role.FINANCE), kwargs=lambda tc: {"pk": tc.alice.pk}),
    "payments:bank-details-confirm": Entry(
        roles(Role.FINANCE), special="tests/payments/test_segregation.py"
    ),
    "payments:portal-bank-confirm": Entry(
        roles(Role.ADVISOR), special="tests/payments/test_segregation.py"
    ),
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
    # Issue 15 (W3): one impact, opened from the search results; researchers see other
    # projects' impacts unless the project is confidential (ImpactRecord.visible_to).
    "impacts:detail": Entry(
        roles(Role.PIE_TEAM, Role.RESEARCHER, Role.MANAGER),
        kwargs=alice_impact,
        others=confidential_impact,
        sees_all=roles(Role.PIE_TEAM, Role.MANAGER),
    ),
    "impacts:export": Entry(roles(Role.PIE_TEAM, Role.RESEARCHER, Role.MANAGER)),
    "impacts:follow-up": Entry(roles(Role.PIE_TEAM)),
    # Issue 15 (W3): advisors' reflections; advisors are told only the PIE team reads them.
    "impacts:reflections": Entry(roles(Role.PIE_TEAM)),
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
    "reports:letters": Entry(roles(Role.PIE_TEAM)),
    # --- reports: the annual report's examples and narrative (PIE team edits, manager reads)
    "reports:evidence": Entry(roles(Role.MANAGER, Role.PIE_TEAM)),
    "reports:evidence-add": Entry(
        roles(Role.PIE_TEAM),
        kwargs=lambda tc: {"standard_pk": a_standard(tc)},
        method="post",
        ok=302,
        data={"year": "2026", "source": ""},
    ),
    "reports:evidence-narrative": Entry(
        roles(Role.PIE_TEAM),
        kwargs=lambda tc: {"standard_pk": a_standard(tc)},
        method="post",
        ok=302,
        data={"year": "2026", "text": "A good year."},
    ),
    "reports:evidence-example": Entry(
        roles(Role.PIE_TEAM), kwargs=lambda tc: {"pk": an_example(tc)}
    ),
    "reports:evidence-remove": Entry(
        roles(Role.PIE_TEAM), kwargs=lambda tc: {"pk": an_example(tc)}, method="post", ok=302
    ),
    "reminders:log": Entry(roles(Role.PIE_TEAM)),
    "reminders:contact-done": Entry(
        roles(Role.PIE_TEAM), kwargs=alice_call, method="post", ok=302, data={"outcome": "Yes"}
    ),
    "reminders:failed-retry": Entry(
        roles(Role.PIE_TEAM), kwargs=a_failed_email, method="post", ok=302
    ),
    "reminders:failed-dealt-with": Entry(
        roles(Role.PIE_TEAM), kwargs=a_failed_email, method="post", ok=302, data={"outcome": "Rang"}
    ),
    # --- privacy: subject access (PIE team only; a request is 404 to anyone else)
    "privacy:sar-list": Entry(roles(Role.PIE_TEAM)),
    "privacy:sar-advisor": Entry(roles(Role.PIE_TEAM), kwargs=lambda tc: {"pk": tc.alice.pk}),
    "privacy:sar-download": Entry(
        roles(Role.PIE_TEAM),
        special="404 to all but the PIE team: tests/privacy/test_subject_access.py",
    ),
    "privacy:sar-retry": Entry(
        roles(Role.PIE_TEAM),
        special="404 to all but the PIE team: tests/privacy/test_subject_access.py",
    ),
    # --- privacy: erasure (PIE team; GET only shows what erasing would do)
    "privacy:erasure-list": Entry(roles(Role.PIE_TEAM)),
    "privacy:erasure-advisor": Entry(roles(Role.PIE_TEAM), kwargs=lambda tc: {"pk": tc.alice.pk}),
    "privacy:erasure-application": Entry(
        roles(Role.PIE_TEAM), special="tests/privacy/test_views_erasure.py"
    ),
}
