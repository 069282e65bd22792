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
    certificate = factory.LazyFunction(lambda: ContentFile(b"%PDF-1.4 certificate", name="certificate.pdf"))
