"""Demo meetings: past and upcoming of each type, answers and needs, agenda items, attendance."""

import datetime
from decimal import Decimal

from django.utils import timezone

from advisors.models import Advisor
from ascru_pie.models import User
from projects.models import Project

from . import services
from .models import AgendaItem, Invitation, Meeting

NEEDS = [
    "",
    "",
    "Large-print papers posted 5 days ahead",
    "A taxi from home",
    "My carer is coming with me",
    "A quiet room for breaks",
    "",
]


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, 0))


def seed(*, stdout) -> None:
    coordinator = User.objects.get(username="coordinator")
    ada = User.objects.get(username="advisor")
    advisors = list(Advisor.objects.active().order_by("pk"))
    pieg = [a for a in advisors if a.pieg_member]
    project = Project.objects.order_by("pk").first()
    plan = [
        # (title, type, days from today, hour, hours long, project?)
        ("Management Group", Meeting.Type.MANAGEMENT, -60, 10, 2, False),
        ("Management Group", Meeting.Type.MANAGEMENT, -30, 10, 2, False),
        ("Management Group", Meeting.Type.MANAGEMENT, 20, 10, 2, False),
        ("PIEG quarterly meeting", Meeting.Type.PIEG, -45, 13, 3, False),
        ("PIEG quarterly meeting", Meeting.Type.PIEG, 12, 13, 3, False),
        ("Project advisory group", Meeting.Type.PROJECT, -10, 10, 2, True),
        ("Project advisory group", Meeting.Type.PROJECT, 25, 10, 2, True),
        ("Co-analysis workshop", Meeting.Type.WORKSHOP, -20, 10, 5, True),
        ("Introduction to research training", Meeting.Type.TRAINING, -90, 10, 4, False),
        ("Findings event for care providers", Meeting.Type.DISSEMINATION, 40, 14, 2, True),
    ]
    for i, (title, kind, days, hour, length, with_project) in enumerate(plan):
        starts = _at(days, hour)
        meeting, created = Meeting.objects.get_or_create(
            title=title,
            type=kind,
            starts_at=starts,
            defaults={
                "ends_at": starts + datetime.timedelta(hours=length),
                "project": project if with_project else None,
                "mode": [Meeting.Mode.ONLINE, Meeting.Mode.IN_PERSON, Meeting.Mode.BOTH][i % 3],
                "location": "Room 2.10, The Social Care Centre, 1 Example Road" if i % 3 else "",
                "joining_details": "Zoom link sent the day before; phone dial-in available."
                if i % 3 != 1
                else "",
                "step_free_access": True,
                "hearing_loop": i % 2 == 0,
                "captions": i % 3 != 1,
                "bsl_interpreter": i == 4,
                "quiet_room": i % 3 == 1,
                "preparation_hours": Decimal("1.00")
                if kind in (Meeting.Type.MANAGEMENT, Meeting.Type.PIEG)
                else Decimal("0.50"),
                "agenda_deadline": starts - datetime.timedelta(days=5),
                "organiser": coordinator,
            },
        )
        if not created:
            continue
        invitees = (
            pieg if kind in (Meeting.Type.PIEG, Meeting.Type.MANAGEMENT) else advisors[i : i + 6]
        )[:8]
        if kind == Meeting.Type.MANAGEMENT:
            invitees = invitees[:2]
        ada_advisor = Advisor.objects.filter(user=ada).first()
        if ada_advisor and ada_advisor not in invitees:
            invitees = [ada_advisor, *invitees]
        services.meeting_invite(meeting=meeting, advisors=invitees, by=coordinator)
        for j, invitation in enumerate(meeting.invitations.all()):
            invitation.rsvp = [
                Invitation.RSVP.YES,
                Invitation.RSVP.YES,
                Invitation.RSVP.MAYBE,
                Invitation.RSVP.NO,
                Invitation.RSVP.PENDING,
            ][j % 5]
            invitation.needs = NEEDS[j % len(NEEDS)]
            invitation.responded_at = (
                None if invitation.rsvp == Invitation.RSVP.PENDING else timezone.now()
            )
            invitation.save()
        for k, status in enumerate(AgendaItem.Status.values):
            AgendaItem.objects.create(
                meeting=meeting,
                proposed_by=ada if k % 2 == 0 else coordinator,
                order=k + 1,
                status=status,
                title=[
                    "Travel expenses process",
                    "Accessible papers",
                    "Update from the PIE leads",
                    "Date of next meeting",
                ][k],
                speaker=["Ada Advisor", "Chris Coordinator"][k % 2],
                reason={
                    "deferred": "We will discuss this at the next meeting, when the finance lead can join.",
                    "declined": "This is covered by the training session in March.",
                }.get(status, ""),
            )
        if days < 0:
            meeting.agenda_published_at = starts - datetime.timedelta(days=3)
            meeting.minutes = (
                "Advisors asked for papers a week ahead; agreed. Next steps agreed on recruitment."
            )
            meeting.minutes_published = True
            meeting.pie_lead_present = True if kind == Meeting.Type.MANAGEMENT else None
            meeting.save()
            rows = [
                services.AttendanceRow(
                    advisor_id=inv.advisor_id,
                    status="attended" if inv.rsvp == Invitation.RSVP.YES else "absent",
                    preparation_hours=meeting.preparation_hours,
                )
                for inv in meeting.invitations.all()
            ]
            # The second management meeting had no advisor present (for the presence share).
            if kind == Meeting.Type.MANAGEMENT and days == -30:
                rows = [
                    services.AttendanceRow(advisor_id=r.advisor_id, status="absent") for r in rows
                ]
            services.attendance_confirm(meeting=meeting, rows=rows, by=coordinator)
    with_advisor, total = services.management_presence_share()
    stdout.write(
        f"Meetings: {Meeting.objects.count()} ({with_advisor} of {total} management meetings with an advisor)."
    )
