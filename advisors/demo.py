"""Demo register: ~30 advisors, applications in every state, equality answers."""

import datetime
import random
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from ascru_pie.models import User
from ascru_pie.roles import Role

from .models import (
    Advisor,
    Application,
    ApplicationEvent,
    ContactFormat,
    ContactMethod,
    EqualityMonitoring,
    LivedExperience,
    Recognition,
    Topic,
    Training,
)

FIRST = [
    "Ada",
    "Ben",
    "Carys",
    "Dev",
    "Eileen",
    "Farah",
    "George",
    "Hana",
    "Ivor",
    "Joy",
    "Kwame",
    "Lena",
    "Mohammed",
    "Nell",
    "Owen",
    "Priya",
    "Quentin",
    "Rosa",
    "Sunil",
    "Tess",
    "Uma",
    "Vince",
    "Wen",
    "Xavier",
    "Yasmin",
    "Zac",
    "Agnes",
    "Bilal",
    "Cerys",
    "Dorothy",
]
LAST = [
    "Advisor",
    "Okafor",
    "Jones",
    "Patel",
    "Murphy",
    "Hussain",
    "Clarke",
    "Kowalski",
    "Evans",
    "Ahmed",
    "Mensah",
    "Novak",
    "Rahman",
    "Gallagher",
    "Price",
    "Sharma",
    "Blake",
    "Costa",
    "Mehta",
    "Wright",
    "Iqbal",
    "Doyle",
    "Li",
    "Moreau",
    "Begum",
    "Taylor",
    "Reid",
    "Khan",
    "Morgan",
    "Hughes",
]
NEEDS = [
    "",
    "",
    "",
    "Large-print papers posted a week before meetings.",
    "A hearing loop in the room.",
    "Step-free access and a parking space near the entrance.",
    "My carer comes with me.",
    "Breaks every 45 minutes; papers in easy read.",
    "Help joining online meetings.",
]


def _equality(rng: random.Random) -> dict:
    answers = {}
    for field, _, choices in EqualityMonitoring.QUESTIONS:
        values = list(choices.values)
        # Most answer; some skip; "prefer not to say" is always among the options.
        answers[field] = rng.choice(values + ["", values[-1]])
    return answers


def seed(*, stdout) -> None:
    rng = random.Random(2026)
    experiences = list(LivedExperience.objects.all())
    topics = list(Topic.objects.all())
    statuses = (
        [Advisor.Status.ACTIVE] * 22 + [Advisor.Status.PAUSED] * 4 + [Advisor.Status.LEFT] * 4
    )
    advisor_group = Group.objects.get(name=Role.ADVISOR)

    for i, (first, last) in enumerate(zip(FIRST, LAST, strict=True)):
        email = f"{first.lower()}.{last.lower()}@example.org"
        needs = rng.choice(NEEDS)
        status = statuses[i]
        enhanced = i in (3, 7, 12)
        advisor, _ = Advisor.objects.update_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "phone": f"07700 900{i:03d}",
                "address": f"{10 + i} Example Street\nSampletown",
                "postcode": f"SA{i % 9 + 1} {i % 7 + 1}XY",
                "contact_method": rng.choice(
                    [ContactMethod.EMAIL] * 4 + [ContactMethod.PHONE, ContactMethod.POST]
                ),
                "contact_format": rng.choice(
                    [ContactFormat.STANDARD] * 5
                    + [ContactFormat.LARGE_PRINT, ContactFormat.EASY_READ]
                ),
                "status": status,
                "joined_on": datetime.date(2024, 1 + i % 12, 1 + i % 27),
                "status_changed_on": datetime.date(2025, 1 + i % 12, 1 + i % 27),
                "left_on": datetime.date(2025, 1 + i % 12, 1 + i % 27)
                if status == Advisor.Status.LEFT
                else None,
                "pieg_member": i < 10,
                "support_needs": needs
                or ("Wheelchair user; needs accessible taxi." if enhanced else ""),
                "enhanced_support": enhanced,
                "support_budget": Decimal("1500.00") if enhanced else None,
                "acknowledgement": rng.choice(list(Advisor.Acknowledgement.values)),
                "availability": rng.choice(
                    ["Weekday mornings", "Any weekday", "Online only", "Not Fridays", ""]
                ),
                "lived_experience_detail": "I have cared for my mother for eight years."
                if i % 3 == 0
                else "",
            },
        )
        advisor.lived_experience.set(rng.sample(experiences, k=1 + i % 2))
        advisor.topics.set(rng.sample(topics, k=2 + i % 3))
        EqualityMonitoring.objects.update_or_create(advisor=advisor, defaults=_equality(rng))
        if i % 4 == 0:
            Training.objects.get_or_create(
                advisor=advisor,
                course="Introduction to social care research",
                defaults={
                    "completed_on": datetime.date(2025, 2, 10),
                    "provider": "ASCRU2 PIE team",
                },
            )
        if i % 5 == 0:
            Recognition.objects.get_or_create(
                advisor=advisor,
                kind=Recognition.Kind.CERTIFICATE,
                defaults={"given_on": datetime.date(2025, 7, 1), "note": "For a year on the PIEG"},
            )

    # The demo "advisor" login is Ada Advisor.
    ada = Advisor.objects.get(email="ada.advisor@example.org")
    user = User.objects.get(username="advisor")
    # One at a time, so each change is in the advisor's history.
    for other in Advisor.objects.filter(user=user).exclude(pk=ada.pk):
        other.user = None
        other.save(update_fields=["user"])
    ada.user = user
    ada.save(update_fields=["user"])
    user.groups.add(advisor_group)
    # One email per person: she signs in with the email on her record.
    if user.email != ada.email:
        user.email = ada.email
        user.save(update_fields=["email"])
    EmailAddress.objects.filter(user=user).exclude(email__iexact=ada.email).delete()

    # Applications: a few in every state.
    names = [
        ("Iris", "Fenwick"),
        ("Jack", "Osei"),
        ("Kath", "Lowe"),
        ("Liam", "Baxter"),
        ("Mina", "Chowdhury"),
        ("Neil", "Hart"),
        ("Olga", "Petrova"),
        ("Pete", "Nolan"),
        ("Ruth", "Adeyemi"),
        ("Sam", "Whitlock"),
        ("Tara", "Quinn"),
        ("Victor", "Lund"),
    ]
    states = (
        [Application.Status.RECEIVED] * 4
        + [Application.Status.SHORTLISTED] * 3
        + [Application.Status.DECLINED] * 2
        + [Application.Status.WITHDRAWN] * 2
        + [Application.Status.ACCEPTED]
    )
    for i, ((first, last), state) in enumerate(zip(names, states, strict=True)):
        defaults = {
            "first_name": first,
            "last_name": last,
            "status": state,
            "contact_method": ContactMethod.EMAIL,
            "privacy_notice_version": "2026-01",
            "support_needs": rng.choice(NEEDS),
            "heard_about": rng.choice(["Carers' centre", "A friend", "Newsletter", ""]),
            "advisor": ada if state == Application.Status.ACCEPTED else None,
        }
        # When they consented is set once: seeding again changes nothing (nor its history).
        application, created = Application.objects.update_or_create(
            email=f"{first.lower()}.{last.lower()}@example.net",
            defaults=defaults,
            create_defaults={
                **defaults,
                "consented_at": timezone.now() - datetime.timedelta(days=30 - i),
            },
        )
        application.lived_experience.set(rng.sample(experiences, k=1))
        application.topics.set(rng.sample(topics, k=2))
        if created:
            ApplicationEvent.objects.create(
                application=application,
                to_status=Application.Status.RECEIVED,
                note="Applied online",
            )
            if state != Application.Status.RECEIVED:
                ApplicationEvent.objects.create(
                    application=application,
                    from_status=Application.Status.RECEIVED,
                    to_status=state,
                )
        EqualityMonitoring.objects.update_or_create(
            application=application, defaults=_equality(rng)
        )
    stdout.write(
        f"Advisors: {Advisor.objects.count()} on the register, {Application.objects.count()} applications."
    )
