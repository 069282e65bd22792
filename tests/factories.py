"""Every builder of test data, in one place (STYLE rule 26): factory_boy factories for models
with many required fields, small functions that make a domain object in a given state, the
POST data of forms that several modules send, and the objects the access matrix points at.

Test modules import from here (and tests.base), never from each other.
"""

import datetime
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from advisors.models import Advisor, Application, EqualityMonitoring, Training
from ascru_pie.models import User
from impacts.models import GrippSummary, ImpactRecord, Standard, Survey
from meetings.models import Invitation, Meeting, MeetingPaper
from meetings.services import AttendanceRow
from payments.models import Claim, PaymentBatch
from payments.services.attendance import attendance_confirm_and_pay
from projects import services as project_services
from projects.models import (
    ExpressionOfInterest,
    Opportunity,
    Output,
    OutputCredit,
    PIEPlan,
    PlannedActivity,
    Project,
    ProjectMembership,
)
from rates.models import RateCard
from reminders.models import Delivery
from reports.models import ReportRequest

# --- advisors ------------------------------------------------------------------------------


class AdvisorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Advisor

    first_name = factory.Sequence(lambda n: f"Advisor{n}")
    last_name = "Example"
    email = factory.LazyAttribute(lambda o: f"{o.first_name.lower()}@example.org")
    joined_on = datetime.date(2025, 1, 15)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    first_name = factory.Sequence(lambda n: f"Applicant{n}")
    last_name = "Example"
    email = factory.LazyAttribute(lambda o: f"{o.first_name.lower()}@example.org")
    privacy_notice_version = "2026-01"
    consented_at = factory.LazyFunction(timezone.now)


class EqualityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EqualityMonitoring


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Training

    advisor = factory.SubFactory(AdvisorFactory)
    course = "Introduction to research"
    completed_on = datetime.date(2025, 3, 1)
    provider = "ASCRU2"
    certificate = factory.LazyFunction(
        lambda: ContentFile(b"%PDF-1.4 certificate", name="certificate.pdf")
    )


# --- projects and rates ---------------------------------------------------------------


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    title = factory.Sequence(lambda n: f"Project {n}")
    summary = "A study of care at home."
    status = Project.Status.ACTIVE


def add_member(
    project: Project, user, role: str = ProjectMembership.Role.LEAD
) -> ProjectMembership:
    return ProjectMembership.objects.create(project=project, user=user, role=role)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PIEPlan

    project = factory.SubFactory(ProjectFactory)
    version = 1


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlannedActivity

    plan = factory.SubFactory(PlanFactory)
    stage = "design"
    activity_type = PlannedActivity.Type.ADVISORY_GROUP
    advisors = 2
    sessions = 1
    hours_per_session = Decimal("2.00")
    anticipated_impact = "Advisors shape the interview questions."


class OpportunityFactory(factory.django.DjangoModelFactory):
    """An opportunity open for two weeks from today."""

    class Meta:
        model = Opportunity

    project = factory.SubFactory(ProjectFactory)
    role = factory.Sequence(lambda n: f"Advisory group member {n}")
    description = "Help us shape the interview questions."
    time_commitment = "Three 2-hour online meetings"
    payment = "Paid at NIHR rates"
    access_information = "Papers in large print on request."
    closing_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))
    places = 2


class InterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpressionOfInterest

    opportunity = factory.SubFactory(OpportunityFactory)
    advisor = factory.SubFactory(AdvisorFactory)
    note = "I care for my mum."


class OutputFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Output

    project = factory.SubFactory(ProjectFactory)
    kind = Output.Kind.REPORT
    title = factory.Sequence(lambda n: f"Report {n}")
    published_on = datetime.date(2026, 3, 1)


def example_rate_card() -> None:
    """The hand-worked card the budget tests use: a 10% rise on 16 December 2025."""
    for activity in RateCard.Activity.values:
        RateCard.objects.create(
            activity=activity,
            effective_from="2025-04-01",
            hourly_rate=Decimal("25.00"),
            half_day_amount=Decimal("90.00"),
            half_day_from_hours=Decimal("3.5"),
            full_day_amount=Decimal("165.00"),
            full_day_from_hours=Decimal("6"),
        )
        RateCard.objects.create(
            activity=activity,
            effective_from="2025-12-16",
            hourly_rate=Decimal("27.50"),
            half_day_amount=Decimal("99.00"),
            half_day_from_hours=Decimal("3.5"),
            full_day_amount=Decimal("181.50"),
            full_day_from_hours=Decimal("6"),
        )


# --- meetings ----------------------------------------------------------------------------


class MeetingFactory(factory.django.DjangoModelFactory):
    """A two-hour PIEG meeting last week (so attendance can be recorded)."""

    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"Meeting {n}")
    type = Meeting.Type.PIEG
    starts_at = factory.LazyFunction(
        lambda: (
            timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(days=7)
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))


def make_meeting(
    *, days: float = 7, hours: float = 2, agenda_days: float | None = None, **fields
) -> Meeting:
    """A PIEG meeting `days` from now (negative: in the past), or at `starts_at`, lasting
    `hours`; with `agenda_days`, it takes agenda proposals until that many days before."""
    starts_at = fields.pop("starts_at", None) or timezone.now().replace(
        microsecond=0
    ) + datetime.timedelta(days=days)
    fields.setdefault("ends_at", starts_at + datetime.timedelta(hours=hours))
    if agenda_days is not None:
        fields.setdefault("agenda_deadline", starts_at - datetime.timedelta(days=agenda_days))
    return MeetingFactory(starts_at=starts_at, **fields)


def invite(
    meeting: Meeting, *advisors, rsvp: str = Invitation.RSVP.YES, **fields
) -> list[Invitation]:
    """Invite each advisor; they have said yes unless `rsvp` says otherwise."""
    return [
        Invitation.objects.create(meeting=meeting, advisor=a, rsvp=rsvp, **fields) for a in advisors
    ]


def add_paper(meeting: Meeting, title: str = "Agenda pack") -> MeetingPaper:
    return MeetingPaper.objects.create(
        meeting=meeting,
        title=title,
        file=ContentFile(b"%PDF-1.4 meeting papers", name="papers.pdf"),
    )


# --- payments ----------------------------------------------------------------------------


def make_claim(
    advisor, status: str = "submitted", amount: str = "40.00", *, receipt: bytes = b"", **fields
) -> Claim:
    """A £40 train fare on 1 May 2026, with a receipt file when `receipt` is given."""
    claim = Claim(
        advisor=advisor,
        kind="expense",
        expense_type="travel",
        description="Train",
        activity_date=datetime.date(2026, 5, 1),
        amount=Decimal(amount),
        status=status,
        **fields,
    )
    if receipt:
        claim.receipt.save("receipt.pdf", ContentFile(receipt), save=False)
    claim.save()
    return claim


def mark_paid(*claims, paid_on=None) -> None:
    """Put claims straight into a paid batch (for tests about what happens after payment)."""
    builder = User.objects.create_user(username=f"builder{PaymentBatch.objects.count()}")
    batch = PaymentBatch.objects.create(
        reference=f"TEST-{PaymentBatch.objects.count() + 1}",
        created_by=builder,
        status=PaymentBatch.Status.PAID,
    )
    Claim.objects.filter(pk__in=[c.pk for c in claims]).update(
        status=Claim.Status.PAID, batch=batch, paid_on=paid_on or timezone.localdate()
    )


def expense_data(**overrides) -> dict:
    """The advisor portal's expense form: a £23.40 train fare on 12 May 2026, no receipt."""
    data = {
        "expense_type": "travel",
        "activity_date": "2026-05-12",
        "amount": "23.40",
        "description": "Train to the PIEG meeting",
        "meeting": "",
    }
    return {**data, **overrides}


# --- impacts -----------------------------------------------------------------------------


def make_impact(project: Project, by, *contributors, **fields) -> ImpactRecord:
    """An impact on the data collection tools of `project`, recorded by `by` on 1 June 2026."""
    data = {
        "stage": "design",
        "category": ImpactRecord.Category.TOOLS,
        "what_changed": "Questions reworded",
        "recorded_on": datetime.date(2026, 6, 1),
    }
    impact = ImpactRecord.objects.create(project=project, recorded_by=by, **{**data, **fields})
    impact.contributors.add(*contributors)
    return impact


def make_survey(*, opens: int = -1, closes: int = 30, **fields) -> Survey:
    """A survey that opened `opens` days from today and closes `closes` days from today."""
    today = timezone.localdate()
    data = {
        "title": "Annual experience survey",
        "kind": Survey.Kind.ANNUAL,
        "opens_on": today + datetime.timedelta(days=opens),
        "closes_on": today + datetime.timedelta(days=closes),
    }
    return Survey.objects.create(**{**data, **fields})


# --- reports -----------------------------------------------------------------------------


def make_report(
    by,
    *,
    kind: str = ReportRequest.Kind.ANNUAL,
    status: str = ReportRequest.Status.QUEUED,
    **extra,
) -> ReportRequest:
    """A report request for 2026; a done one has its PDF ("%PDF-1.4 the report")."""
    report = ReportRequest(
        kind=kind, year=extra.pop("year", 2026), requested_by=by, status=status, **extra
    )
    if status == ReportRequest.Status.DONE:
        report.file.save("report.pdf", ContentFile(b"%PDF-1.4 the report"), save=False)
    report.save()
    return report


def small_unit(tc) -> None:
    """One project with an approved plan, one meeting Alice attended, her claims paid.

    Sets `tc.project`, `tc.meeting` and `tc.impact`; needs the personas of tests.base.

    Alice: 2 h meeting on 2 March 2026 + 1 h preparation at £27.50/h = £82.50 (time),
    plus a £12.40 bus fare charged to the project; both paid on 20 March 2026 (£94.90).
    The project's PIE budget is £12.00; the meeting was the project's, so its time counts too
    and the project is over budget with £94.90 committed.
    """
    example_rate_card()
    tc.project = ProjectFactory(title="Care at home after hospital", pie_budget=Decimal("12.00"))
    plan = PlanFactory(project=tc.project, status="approved", decided_at=timezone.now())
    ActivityFactory(
        plan=plan,
        planned_date=datetime.date(2026, 3, 2),
        anticipated_impact="Advisors shape the interview questions.",
    )
    start = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
    tc.meeting = MeetingFactory(
        title="Advisory group one",
        type="project",
        project=tc.project,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    invite(tc.meeting, tc.alice, tc.bob)
    attendance_confirm_and_pay(
        meeting=tc.meeting,
        rows=[
            AttendanceRow(
                advisor_id=tc.alice.pk, status="attended", preparation_hours=Decimal("1.00")
            ),
            AttendanceRow(advisor_id=tc.bob.pk, status="absent"),
        ],
        by=tc.staff_sam,
    )
    Claim.objects.create(
        advisor=tc.alice,
        kind="expense",
        expense_type="travel",
        amount=Decimal("12.40"),
        activity_date=datetime.date(2026, 3, 2),
        description="Bus fare to the meeting",
        project=tc.project,
        meeting=tc.meeting,
    )
    mark_paid(*Claim.objects.filter(advisor=tc.alice), paid_on=datetime.date(2026, 3, 20))

    tc.impact = make_impact(
        tc.project,
        tc.staff_sam,
        tc.alice,
        kind="actual",
        extent="major",
        # Markup and a remote image, which a PDF must show as text and never fetch.
        what_changed=(
            "Questions reworded <script>alert(1)</script> <img src='http://example.com/x.png'>"
        ),
        recorded_on=datetime.date(2026, 3, 5),
        meeting=tc.meeting,
    )
    tc.impact.standards.add(Standard.objects.get(code="working_together"))
    GrippSummary.objects.create(project=tc.project, aim="To involve advisors at every stage.")
    EqualityFactory(advisor=tc.alice, sex="female")
    TrainingFactory(advisor=tc.alice, course="Introduction to research")
    output = Output.objects.create(
        project=tc.project, kind="report", title="Summary for the public"
    )
    OutputCredit.objects.create(output=output, advisor=tc.alice, credit="co_author")


# --- objects the access matrix points at -----------------------------------------------------
# Each takes the test case (with the personas of tests.base) and returns URL kwargs. Most make
# their object once per test, cached on the test case, however many roles ask for it.


def _once(tc, name: str, make) -> dict:
    """{"pk": ...} of the object cached on the test case as `name`, made by `make()` if new."""
    if not hasattr(tc, name):
        setattr(tc, name, make())
    return {"pk": getattr(tc, name).pk}


def rita_project(tc) -> dict:
    """Rita's project (she leads it) with a draft plan."""

    def make() -> Project:
        project = ProjectFactory(title="Rita's study")
        add_member(project, tc.researcher_rita)
        project_services.plan_start(project=project, by=tc.researcher_rita)
        return project

    return _once(tc, "_rita_project", make)


def other_project(tc) -> dict:
    """A project with a plan that Rita is not on."""

    def make() -> Project:
        project = ProjectFactory(title="Someone else's study")
        PlanFactory(project=project)
        return project

    return _once(tc, "_other_project", make)


def rita_submitted_project(tc) -> dict:
    """Another of Rita's projects, its plan submitted for review."""

    def make() -> Project:
        if not RateCard.objects.exists():
            example_rate_card()
        project = ProjectFactory(title="Rita's submitted study")
        add_member(project, tc.researcher_rita)
        plan = project_services.plan_start(project=project, by=tc.researcher_rita)
        ActivityFactory(plan=plan)
        project_services.plan_submit(plan=plan, by=tc.researcher_rita)
        return project

    return _once(tc, "_rita_submitted", make)


def rita_opportunity(tc) -> dict:
    def make() -> Opportunity:
        return OpportunityFactory(
            project_id=rita_project(tc)["pk"],
            posted_by=tc.researcher_rita,
            closing_date=timezone.localdate() + datetime.timedelta(days=30),
        )

    return _once(tc, "_rita_opportunity", make)


def _invited(title: str, advisor, **fields) -> Meeting:
    meeting = make_meeting(title=title, **fields)
    invite(meeting, advisor)
    return meeting


def alice_meeting(tc) -> dict:
    """A meeting next week that Alice is invited to."""
    return _once(tc, "_alice_meeting", lambda: _invited("Alice's PIEG", tc.alice, agenda_days=2))


def bob_meeting(tc) -> dict:
    """A meeting next week that only Bob is invited to."""
    return _once(tc, "_bob_meeting", lambda: _invited("Bob's workshop", tc.bob, agenda_days=2))


def alice_invitation(tc) -> dict:
    """Alice's invitation to her meeting (the staff page records an answer she phoned in)."""
    meeting = alice_meeting(tc)["pk"]
    return {"pk": meeting, "invitation": Invitation.objects.get(meeting_id=meeting).pk}


def alice_call(tc) -> dict:
    """A call to Alice on the coordinator's call list."""

    def make() -> Delivery:
        return Delivery.objects.create(
            key="invite:alice-call",
            kind="invite",
            advisor=tc.alice,
            recipient="01234 567890",
            channel=Delivery.Channel.CALL,
            status=Delivery.Status.LISTED,
            template="meeting-invitation",
        )

    return _once(tc, "_alice_call", make)


def held_meeting(tc) -> dict:
    """Last week's meeting, Alice invited, so attendance can be recorded."""
    return _once(tc, "_held_meeting", lambda: _invited("Last week's PIEG", tc.alice, days=-7))


def alice_paper(tc) -> dict:
    return {"pk": add_paper(Meeting.objects.get(**alice_meeting(tc))).pk}


def bob_paper(tc) -> dict:
    return {"pk": add_paper(Meeting.objects.get(**bob_meeting(tc))).pk}


def meeting_to_cancel(tc) -> dict:
    """A new meeting each time, so cancelling it does not change the others the matrix uses."""
    return {"pk": make_meeting(title="Meeting to cancel", agenda_days=2).pk}


def alice_claim(tc) -> dict:
    """One of Alice's claims, with a receipt."""
    return _once(tc, "_alice_claim", lambda: make_claim(tc.alice, receipt=b"%PDF-1.4 receipt"))


def bob_claim(tc) -> dict:
    """One of Bob's claims, with a receipt."""
    return _once(tc, "_bob_claim", lambda: make_claim(tc.bob, receipt=b"%PDF-1.4 receipt"))


def a_batch(tc) -> dict:
    return _once(
        tc,
        "_batch",
        lambda: PaymentBatch.objects.create(reference="PIE-TEST-01", created_by=tc.staff_sam),
    )


def approved_batch(tc) -> dict:
    """A batch ready to export: built by Sam, approved by Fay, with Alice's claim in it."""

    def make() -> PaymentBatch:
        batch = PaymentBatch.objects.create(
            reference="PIE-TEST-02",
            created_by=tc.staff_sam,
            status=PaymentBatch.Status.APPROVED,
            approved_by=tc.finance_fay,
        )
        claim = Claim.objects.get(**alice_claim(tc))
        Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.IN_BATCH, batch=batch)
        batch.total = claim.amount
        batch.save(update_fields=["total"])
        return batch

    return _once(tc, "_approved_batch", make)


def _rita_impact(tc, contributor) -> ImpactRecord:
    return make_impact(Project.objects.get(**rita_project(tc)), tc.researcher_rita, contributor)


def alice_impact(tc) -> dict:
    """An impact on Rita's project that Alice contributed to."""
    return _once(tc, "_alice_impact", lambda: _rita_impact(tc, tc.alice))


def bob_impact(tc) -> dict:
    """An impact on Rita's project that Bob contributed to."""
    return _once(tc, "_bob_impact", lambda: _rita_impact(tc, tc.bob))


def impact_with_evidence(tc, project_pk: int) -> int:
    """A new impact on the project, recorded by Sam with an evidence file; returns its pk."""
    impact = ImpactRecord(
        project_id=project_pk,
        stage="design",
        category=ImpactRecord.Category.TOOLS,
        what_changed="Reworded",
        recorded_by=tc.staff_sam,
        recorded_on=datetime.date(2026, 6, 1),
    )
    impact.evidence_file.save("minutes.pdf", ContentFile(b"%PDF-1.4 minutes"), save=False)
    impact.save()
    return impact.pk


def open_survey(tc) -> dict:
    return _once(tc, "_survey", lambda: make_survey(title="Annual survey"))


def _certificate(advisor, status: str = ReportRequest.Status.DONE, **extra) -> ReportRequest:
    return make_report(
        advisor.user, kind=ReportRequest.Kind.CERTIFICATE, status=status, advisor=advisor, **extra
    )


def alice_certificate(tc) -> dict:
    """Alice's certificate of involvement, made."""
    return _once(tc, "_alice_certificate", lambda: _certificate(tc.alice))


def bob_certificate(tc) -> dict:
    """Bob's certificate of involvement, made."""
    return _once(tc, "_bob_certificate", lambda: _certificate(tc.bob))


def alice_failed_certificate(tc) -> dict:
    """A new failed certificate of Alice's at each call (a retry uses one up)."""
    failed = _certificate(tc.alice, ReportRequest.Status.FAILED, error="ValueError: test")
    return {"pk": failed.pk}


def done_annual(tc) -> dict:
    """Mo's annual report, made."""
    return _once(
        tc, "_done_annual", lambda: make_report(tc.manager_mo, status=ReportRequest.Status.DONE)
    )


def failed_annual(tc) -> dict:
    """A new failed annual report of Mo's at each call (a retry uses one up)."""
    failed = make_report(
        tc.manager_mo, status=ReportRequest.Status.FAILED, error="ValueError: test"
    )
    return {"pk": failed.pk}
