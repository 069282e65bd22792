"""What the two census tests share: a small unit with something of everyone's in it, and every
URL of the URL conf with real object ids filled in.

tests/test_stored_script.py and tests/test_access_census.py use it. URLs are discovered from
the resolver, never listed, so a page that later work adds is requested too; an object id is
filled from the model the admin URL names, or from the path segment before it
(`staff/meetings/<pk>/` → a meeting), or else from every seeded object's id.
"""

import datetime
import itertools
from dataclasses import dataclass

from django import forms
from django.apps import apps
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.signals import request_finished
from django.db import close_old_connections, models
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from advisors.models import Application, Recognition
from impacts.models import AdvisorReflection, GrippSummary, ImpactRecord
from meetings.models import AgendaItem, Invitation, Meeting, MeetingPaper
from payments.models import Claim, PaymentBatch
from payments.services.bank_details import bank_details_set
from projects.models import (
    Opportunity,
    PIEPlan,
    Project,
    ReviewComment,
)
from reports.models import ReportRequest
from tests.base import make_user
from tests.factories import (
    AdvisorFactory,
    InterestFactory,
    TrainingFactory,
    a_batch,
    add_paper,
    alice_certificate,
    alice_claim,
    alice_impact,
    alice_meeting,
    approved_batch,
    bob_certificate,
    bob_impact,
    bob_meeting,
    done_annual,
    held_meeting,
    impact_with_evidence,
    make_claim,
    make_report,
    open_survey,
    other_project,
    rita_opportunity,
    rita_project,
    rita_submitted_project,
    small_unit,
)

OUR_APPS = {
    "ascru_pie",
    "advisors",
    "rates",
    "projects",
    "meetings",
    "payments",
    "impacts",
    "reminders",
    "reports",
    "privacy",
    "homes",
}

# The path segment before an object id, and the model whose id it is.
SEGMENT_MODELS = {
    "projects": "projects.Project",
    "opportunities": "projects.Opportunity",
    "meetings": "meetings.Meeting",
    "papers": "meetings.MeetingPaper",
    "impacts": "impacts.ImpactRecord",
    "surveys": "impacts.Survey",
    "receipts": "payments.Claim",
    "claims": "payments.Claim",
    "batches": "payments.PaymentBatch",
    "requests": "reports.ReportRequest",
    "advisors": "advisors.Advisor",
    "applications": "advisors.Application",
    "training": "advisors.Training",
}
FIXED_VALUES = {"version": [1], "year": [2026], "app_label": ["advisors"]}
# Ids tried per object kwarg: enough for every object of a model in the seeded unit; the
# admin's pages check model permissions, so its first, second and newest objects will do.
IDS_PER_MODEL = 20
IDS_PER_ADMIN_MODEL = 3
ROUTES_PER_PATTERN = 60


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    path: str  # the pattern as written, e.g. "staff/meetings/<int:pk>/"
    kwargs: tuple[str, ...]

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:")

    def admin_model(self) -> tuple[type[models.Model], str] | None:
        """The admin's model and the action (changelist, change, import, …) the name says."""
        for model in admin.site._registry:
            prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
            if self.name.startswith(prefix):
                return model, self.name[len(prefix) :]
        return None


def routes() -> list[Route]:
    """Every named URL pattern in the URL conf (unnamed ones cannot be reversed)."""
    found: list[Route] = []

    def walk(patterns, ns: str, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(
                    p.url_patterns,
                    f"{ns}{p.namespace}:" if p.namespace else ns,
                    prefix + str(p.pattern),
                )
            elif isinstance(p, URLPattern) and p.name:
                found.append(
                    Route(
                        f"{ns}{p.name}", prefix + str(p.pattern), tuple(p.pattern.regex.groupindex)
                    )
                )

    walk(get_resolver().url_patterns, "", "")
    return found


def _ids(model) -> list:
    return list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:IDS_PER_MODEL])


def _segment_models(route: Route, kwarg: str) -> list:
    """The models an id in the path may belong to, from the segment before it: the table
    above, or else our models whose names start with it (`bank-details` → BankDetails…)."""
    before = route.path.split(f"{kwarg}>")[0].rstrip("/").rsplit("/", 2)
    segment = before[-2] if len(before) > 1 else ""
    if segment in SEGMENT_MODELS:
        return [apps.get_model(SEGMENT_MODELS[segment])]
    stem = segment.replace("-", "").removesuffix("s")
    return [
        m
        for m in apps.get_models()
        if stem and m._meta.app_label in OUR_APPS and m._meta.model_name.startswith(stem)
    ]


def _linked(model, parent) -> str | None:
    """The name of `model`'s foreign key to `parent`, if it has one."""
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model is parent:
            return f.attname
    return None


def _every_seeded_id() -> list:
    ids = set()
    for model in apps.get_models():
        if model._meta.app_label in OUR_APPS:
            ids.update(_ids(model))
    return sorted(i for i in ids if isinstance(i, int))[:IDS_PER_MODEL]


def url_options(route: Route) -> list[str]:
    """The URLs to request for a route: one per combination of real ids (capped)."""
    if route.name in ("admin:view_on_site",):
        return []  # a redirect to the object's own page, which is requested anyway
    admin_model = route.admin_model() if route.is_admin else None
    choices: dict[str, list] = {}
    models_of: dict[str, type[models.Model] | None] = {}
    for kwarg in route.kwargs:
        if kwarg in FIXED_VALUES:
            choices[kwarg] = FIXED_VALUES[kwarg]
        elif kwarg == "history_id":
            continue  # filled below from the object's own history
        elif admin_model and kwarg in ("object_id", "id", "pk"):
            ids = _ids(admin_model[0])
            choices[kwarg] = sorted(set(ids[: IDS_PER_ADMIN_MODEL - 1] + ids[-1:]))
        elif kwarg == "pk" or kwarg.endswith("_pk"):
            found = _segment_models(route, kwarg)
            models_of[kwarg] = found[0] if len(found) == 1 else None
            choices[kwarg] = sorted({i for m in found for i in _ids(m)}) or _every_seeded_id()
        else:
            choices[kwarg] = ["x", 1]
    # An id nested under another (an impact's under its project) only with its own parent.
    pairs = {}
    for child, child_model in models_of.items():
        parent_model = models_of.get("pk")
        link = child != "pk" and child_model and parent_model and _linked(child_model, parent_model)
        if link:
            pairs[child] = set(child_model._default_manager.values_list(link, "pk"))
    urls = []
    names = list(choices)
    for values in itertools.product(*(choices[n] for n in names)):
        kwargs = dict(zip(names, values, strict=True))
        if any((kwargs["pk"], kwargs[c]) not in linked for c, linked in pairs.items()):
            continue
        if "history_id" in route.kwargs:
            model = admin_model[0] if admin_model else None
            history = getattr(model, "history", None)
            record = history.filter(id=kwargs.get("object_id")).first() if history else None
            if record is None:
                continue
            kwargs["history_id"] = record.history_id
        try:
            urls.append(reverse(route.name, kwargs=kwargs or None))
        except NoReverseMatch:
            continue
        if len(urls) >= ROUTES_PER_PATTERN:
            break
    return urls


def body_of(response) -> bytes:
    """What the browser would get, for a page and for a streamed download alike."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
        # Closing a response says the request finished, which would close the test's
        # database connection; the test client keeps it open the same way.
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
        return body
    return response.content


def export_form_data(client, url: str) -> dict:
    """An admin export form as the signed-in persona sees it: CSV, every column ticked."""
    response = client.get(url)
    form = response.context.get("form") if response.context else None
    if form is None:
        return {"format": "0"}
    data = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.BooleanField):
            data[name] = "on"
        elif name == "format":
            csv = [v for v, label in field.choices if str(label).lower() == "csv"]
            data[name] = csv[0] if csv else "0"
        elif isinstance(field, forms.ChoiceField) and field.required:
            data[name] = next((v for v, _ in field.choices if v != ""), "0")
    return data


# --- the unit --------------------------------------------------------------------------------
# Markers of data that belongs to somebody: the access census looks for them in what each
# persona gets back. Bob is the advisor whose data others must not see; "Confidential study"
# is a confidential project Rita is not on; Victor applied and is not yet an advisor.
BOB = {
    "phone": "ZQ-bob-phone",
    "address": "ZQ-bob-address",
    "support_needs": "ZQ-bob-support",
    "staff_notes": "ZQ-bob-staffnotes",
    "lived_experience_detail": "ZQ-bob-lived",
    "availability": "ZQ-bob-availability",
    "claim": "ZQ-bob-claim",
    "receipt": "ZQ-bob-receipt-file",
    "needs": "ZQ-bob-invitation-needs",
    "proposal": "ZQ-bob-agenda-proposal",
    "interest": "ZQ-bob-interest-note",
    "reflection": "ZQ-bob-reflection",
    "certificate_file": "ZQ-bob-training-certificate",
    "document": "ZQ-bob-document-file",
    "meeting": "ZQ-bob-meeting-joining",
    "paper": "ZQ-bob-paper-file",
    "account_name": "ZQ-bob-account-name",
    "account_number": "90017777",
}
APPLICANT = {"phone": "ZQ-applicant-phone", "support_needs": "ZQ-applicant-support"}
CONFIDENTIAL = {
    "summary": "ZQ-conf-summary",
    "plan": "ZQ-conf-plan",
    "impact": "ZQ-conf-impact",
    "evidence": "ZQ-conf-evidence-file",
    "gripp": "ZQ-conf-gripp",
}
# An opportunity is advertised to every advisor, even on a confidential project.
ADVERTISED = {"opportunity": "ZQ-conf-opportunity"}
STAFF_ONLY = {"annual_file": "ZQ-annual-report-file", "batch": "ZQ-batch-reference"}


def census_unit(tc) -> None:
    """Seed the unit: everything the access matrix uses, plus something of Bob's, of an
    applicant's and of a confidential project in every kind of record. Sets `tc.nobody`
    (staff with no permissions) and `tc.advisor_dave` (an advisor with nothing of his own)."""
    small_unit(tc)
    tc.nobody = make_user("nobody", is_staff=True)
    tc.advisor_dave = make_user("dave", "advisor", first_name="Dave")
    AdvisorFactory(user=tc.advisor_dave, first_name="Dave", last_name="Dunn")
    for fixture in (
        rita_project,
        rita_submitted_project,
        rita_opportunity,
        alice_meeting,
        held_meeting,
        alice_claim,
        a_batch,
        approved_batch,
        alice_impact,
        open_survey,
        alice_certificate,
        done_annual,
    ):
        fixture(tc)
    TrainingFactory(advisor=tc.alice)
    add_paper(Meeting.objects.get(**alice_meeting(tc)))
    impact_with_evidence(tc, rita_project(tc)["pk"])
    _bob(tc)
    _applicant()
    _confidential(tc)


def _bob(tc) -> None:
    bob = tc.bob
    for field in ("phone", "address", "support_needs", "staff_notes", "lived_experience_detail"):
        setattr(bob, field, BOB[field])
    bob.availability = BOB["availability"]
    bob.save()
    bank_details_set(
        advisor=bob,
        account_name=BOB["account_name"],
        sort_code="11-22-33",
        account_number=BOB["account_number"],
    )
    claim = make_claim(bob, receipt=f"%PDF-1.4 {BOB['receipt']}".encode())
    Claim.objects.filter(pk=claim.pk).update(description=BOB["claim"])
    meeting = Meeting.objects.get(**bob_meeting(tc))
    Meeting.objects.filter(pk=meeting.pk).update(joining_details=BOB["meeting"])
    Invitation.objects.filter(meeting=meeting, advisor=bob).update(needs=BOB["needs"])
    AgendaItem.objects.create(
        meeting=meeting, title="Bob's item", description=BOB["proposal"], proposed_by=bob.user
    )
    MeetingPaper.objects.create(
        meeting=meeting,
        title="Bob's papers",
        file=ContentFile(f"%PDF-1.4 {BOB['paper']}".encode(), name="bob.pdf"),
    )
    TrainingFactory(
        advisor=bob,
        certificate=ContentFile(f"%PDF-1.4 {BOB['certificate_file']}".encode(), name="bob.pdf"),
    )
    InterestFactory(
        opportunity=Opportunity.objects.get(**rita_opportunity(tc)),
        advisor=bob,
        note=BOB["interest"],
        support_needed=BOB["interest"],
    )
    AdvisorReflection.objects.create(
        impact=ImpactRecord.objects.get(**bob_impact(tc)), advisor=bob, text=BOB["reflection"]
    )
    Recognition.objects.create(
        advisor=bob,
        kind=Recognition.Kind.OTHER,
        given_on=datetime.date(2026, 2, 1),
        note=BOB["claim"],
    )
    report = ReportRequest.objects.get(**bob_certificate(tc))
    report.file.save("bob.pdf", ContentFile(f"%PDF-1.4 {BOB['document']}".encode()))
    make_report(
        bob.user,
        kind=ReportRequest.Kind.STATEMENT,
        status=ReportRequest.Status.DONE,
        advisor=bob,
    ).file.save("statement.pdf", ContentFile(f"%PDF-1.4 {BOB['document']}".encode()))


def _applicant() -> None:
    Application.objects.create(
        first_name="Victor",
        last_name="Vance",
        email="victor@example.org",
        phone=APPLICANT["phone"],
        support_needs=APPLICANT["support_needs"],
        privacy_notice_version="2026-01",
        consented_at=timezone.now(),
    )


def _confidential(tc) -> None:
    project = Project.objects.get(**other_project(tc))
    project.title = "Confidential study"
    project.summary = CONFIDENTIAL["summary"]
    project.confidential = True
    project.save()
    PIEPlan.objects.filter(project=project).update(recognition=CONFIDENTIAL["plan"])
    ReviewComment.objects.create(
        plan=project.plans.first(),
        by=tc.staff_sam,
        section="recognition",
        comment=CONFIDENTIAL["plan"],
    )
    impact_pk = impact_with_evidence(tc, project.pk)
    impact = ImpactRecord.objects.get(pk=impact_pk)
    impact.what_changed = CONFIDENTIAL["impact"]
    impact.evidence_file.save(
        "conf.pdf", ContentFile(f"%PDF-1.4 {CONFIDENTIAL['evidence']}".encode())
    )
    GrippSummary.objects.create(project=project, aim=CONFIDENTIAL["gripp"])
    Opportunity.objects.create(
        project=project,
        role="Confidential role",
        description=ADVERTISED["opportunity"],
        time_commitment="1 hour",
        payment="NIHR rates",
        closing_date=timezone.localdate() + datetime.timedelta(days=10),
        places=1,
        posted_by=tc.staff_sam,
    )
    batch = PaymentBatch.objects.get(**a_batch(tc))
    batch.reference = STAFF_ONLY["batch"]
    batch.save(update_fields=["reference"])
    annual = ReportRequest.objects.get(**done_annual(tc))
    annual.file.save("annual.pdf", ContentFile(f"%PDF-1.4 {STAFF_ONLY['annual_file']}".encode()))
