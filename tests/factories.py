"""factory_boy factories for domain objects with many required fields."""

import datetime

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from advisors.models import Advisor, Application, EqualityMonitoring, Training


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

from decimal import Decimal  # noqa: E402

from projects.models import PIEPlan, PlannedActivity, Project, ProjectMembership  # noqa: E402
from rates.models import RateCard  # noqa: E402


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

from meetings.models import Invitation, Meeting  # noqa: E402


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


def invite(meeting: Meeting, *advisors, rsvp: str = Invitation.RSVP.YES) -> list[Invitation]:
    return [Invitation.objects.create(meeting=meeting, advisor=a, rsvp=rsvp) for a in advisors]


def mark_paid(*claims, paid_on=None) -> None:
    """Put claims straight into a paid batch (for tests about what happens after payment)."""
    from ascru_pie.models import User
    from payments.models import Claim, PaymentBatch

    builder = User.objects.create_user(username=f"builder{PaymentBatch.objects.count()}")
    batch = PaymentBatch.objects.create(
        reference=f"TEST-{PaymentBatch.objects.count() + 1}",
        created_by=builder,
        status=PaymentBatch.Status.PAID,
    )
    Claim.objects.filter(pk__in=[c.pk for c in claims]).update(
        status=Claim.Status.PAID, batch=batch, paid_on=paid_on or timezone.localdate()
    )
