"""The pages the bench requests, who requests each, and how they are measured.

Each page is requested by the person who uses it, signed in the way the real flow leaves
them (staff with a second factor in the session). The trivial view is the cheapest signed-in
page there is, so a page's ratio to it says how much more than "a signed-in request" it costs.
"""

import statistics
import time
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ascru_pie.mfa import session_record_second_factor
from ascru_pie.models import User
from ascru_pie.roles import Role
from meetings.models import Meeting
from payments.models import PaymentBatch
from projects.models import Project

# The baseline: allauth's "change your password" page, signed in as the advisor. It reads the
# session and the user and renders a three-field form: nothing that grows with the data.
TRIVIAL = ("trivial: change password (advisor)", "password_change", None, "advisor", {})


@dataclass(frozen=True)
class Page:
    label: str
    url_name: str
    target: str | None  # which object the URL needs: "project", "batch", "meeting"
    persona: str  # "advisor", "researcher", "coordinator", "manager"
    query: dict
    portal: bool = False

    @property
    def max_ratio(self) -> float:
        return 5.0 if self.portal else 8.0


PAGES = [
    Page("portal home", "portal-home", None, "advisor", {}, portal=True),
    Page("portal payments", "payments:portal", None, "advisor", {}, portal=True),
    Page("portal meetings", "meetings:portal-list", None, "advisor", {}, portal=True),
    Page("researcher home", "research-home", None, "researcher", {}),
    Page("project page (researcher)", "projects:detail", "project", "researcher", {}),
    Page("researcher home as PIE team (all projects)", "research-home", None, "coordinator", {}),
    Page("staff home", "staff-home", None, "coordinator", {}),
    Page("claims queue", "payments:claims", None, "coordinator", {}),
    Page("batch page (biggest batch)", "payments:batch", "batch", "coordinator", {}),
    Page("meeting roster (biggest meeting)", "meetings:detail", "meeting", "coordinator", {}),
    Page("reminders log", "reminders:log", None, "coordinator", {}),
    Page("impact search, q=carers", "impacts:search", None, "coordinator", {"q": "carers"}),
    Page("impact search, no query", "impacts:search", None, "coordinator", {}),
    Page("reports dashboard", "reports:home", None, "manager", {}),
    Page(
        "admin: advisors changelist", "admin:advisors_advisor_changelist", None, "coordinator", {}
    ),
    Page("admin: claims changelist", "admin:payments_claim_changelist", None, "coordinator", {}),
]

PERSONA_ROLES = {
    "advisor": Role.ADVISOR,
    "researcher": Role.RESEARCHER,
    "coordinator": Role.PIE_TEAM,
    "manager": Role.MANAGER,
}


def persona_users() -> dict[str, User]:
    """The demo's users by their usernames (seed_demo and seed_scale both make them); failing
    that, the first active member of the role's group (for an advisor: the one with most claims)."""
    users = {}
    for persona, role in PERSONA_ROLES.items():
        user = User.objects.filter(username=persona, is_active=True).first()
        if user is None:
            members = User.objects.filter(groups__name=str(role), is_active=True)
            if role == Role.ADVISOR:
                members = members.filter(advisor__isnull=False).annotate(n=Count("advisor__claims"))
                user = members.order_by("-n", "pk").first()
            else:
                user = members.order_by("pk").first()
        if user is None:
            raise LookupError(f"No user for the {persona} persona ({role.label}).")
        users[persona] = user
    if not Group.objects.filter(name=str(Role.ADVISOR)).exists():
        raise LookupError("The role groups are missing: is the database migrated?")
    return users


def targets(users: dict[str, User]) -> dict[str, int]:
    """The biggest meeting (most invitations), the biggest batch (most claims), and the
    researcher's project with the most meetings: the pages that list them are the slow ones."""
    meeting = Meeting.objects.annotate(n=Count("invitations")).order_by("-n", "pk").first()
    batch = PaymentBatch.objects.annotate(n=Count("claims")).order_by("-n", "pk").first()
    project = (
        Project.objects.filter(memberships__user=users["researcher"])
        .annotate(n=Count("claims"))
        .order_by("-n", "pk")
        .first()
    )
    found = {"meeting": meeting, "batch": batch, "project": project}
    missing = [name for name, obj in found.items() if obj is None]
    if missing:
        raise LookupError(f"The seeded data has no {', '.join(missing)} to open.")
    return {name: obj.pk for name, obj in found.items()}


def signed_in_client(user: User) -> Client:
    """A client signed in as `user` with a second factor recorded, over HTTPS (production
    redirects plain HTTP), from a host production allows."""
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    request = HttpRequest()
    request.session = client.session
    session_record_second_factor(request, user=user, kind="totp")
    request.session.save()
    return client


@dataclass
class Request:
    label: str
    client: Client
    url: str
    query: dict

    def get(self):
        return self.client.get(self.url, self.query, secure=True)


def requests_build() -> tuple[Request, list[Request], dict]:
    """The trivial request and one request per page, with what was chosen to open."""
    users = persona_users()
    objects = targets(users)
    clients = {persona: signed_in_client(user) for persona, user in users.items()}
    label, name, _, persona, query = TRIVIAL
    trivial = Request(label, clients[persona], reverse(name), query)
    pages = []
    for page in PAGES:
        args = [objects[page.target]] if page.target else None
        pages.append(
            Request(
                page.label,
                clients[page.persona],
                reverse(page.url_name, args=args),
                query=page.query,
            )
        )
    chosen = {
        "users": {persona: user.username for persona, user in users.items()},
        **objects,
    }
    return trivial, pages, chosen


def pages_measure(*, rounds: int, log=lambda message: None) -> dict:
    """Status, size and query count of each page, then (with rounds) the median time of each
    over `rounds` interleaved rounds: the trivial view, then every page once."""
    trivial, pages, chosen = requests_build()
    everything = [trivial, *pages]
    out = {"chosen": chosen, "pages": {}}
    for request in everything:
        # Warm up (templates compiled, caches as a running site has them, the session's
        # once-a-minute renewal done), then count the same page at once: a count taken
        # minutes later would include the session's renewal and look like growth.
        request.get()
        with CaptureQueriesContext(connection) as queries:
            response = request.get()
        out["pages"][request.label] = {
            "url": request.url,
            "status": response.status_code,
            "bytes": len(response.content),
            "queries": len(queries.captured_queries),
            "times": [],
        }
    log(f"  warm-up and query counts done; {rounds} timed rounds")
    for number in range(rounds):
        log(f"  round {number + 1} of {rounds}")
        for request in everything:
            start = time.perf_counter()
            request.get()
            out["pages"][request.label]["times"].append(time.perf_counter() - start)
    for figures in out["pages"].values():
        figures["median"] = statistics.median(figures["times"]) if figures["times"] else None
    out["trivial"] = trivial.label
    return out
