"""Meetings: invitations (with a clash check), RSVPs, agenda proposals, cancellation, attendance.

Attendance feeds payments, a layer above: payments.services.attendance_confirm_and_pay
calls `attendance_confirm` here and then syncs each advisor's one time claim.
"""

from dataclasses import dataclass
from decimal import Decimal

import icalendar
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from advisors.models import Advisor, ContactMethod
from ascru_pie.lib.dates import deadline_words
from ascru_pie.lib.emails import make_message
from ascru_pie.models import User
from ascru_pie.roles import Role

from .models import AgendaItem, Attendance, Invitation, Meeting

# --- calendar ---------------------------------------------------------------------------


def meeting_ics(*, meeting: Meeting) -> bytes:
    """An iCalendar file for the meeting, with where/how to join and the access information."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//ASCRU2//PIE manager//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if meeting.status == Meeting.Status.CANCELLED else "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting.pk}@ascru-pie")
    event.add("summary", meeting.title)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("dtstamp", timezone.now())
    if meeting.location:
        event.add("location", meeting.location)
    details = [
        meeting.joining_details,
        ", ".join(meeting.accessibility_features),
        meeting.accessibility_notes,
    ]
    event.add("description", "\n\n".join(d for d in details if d))
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()


# --- invitations --------------------------------------------------------------------------


@dataclass
class Clash:
    advisor: Advisor
    other: Meeting


def invitation_clashes(*, meeting: Meeting, advisors: list[Advisor]) -> list[Clash]:
    """Advisors already invited (and not saying no) to another meeting at an overlapping time."""
    others = (
        Invitation.objects.filter(advisor__in=advisors)
        .exclude(meeting=meeting)
        .exclude(rsvp=Invitation.RSVP.NO)
        .filter(meeting__in=Meeting.objects.overlapping(meeting.starts_at, meeting.ends_at))
        .select_related("advisor", "meeting")
    )
    return [Clash(i.advisor, i.meeting) for i in others]


def meeting_invite(
    *, meeting: Meeting, advisors: list[Advisor], by: User | None
) -> list[Invitation]:
    """Invite advisors (skipping those already invited). Emails each new invitee with the .ics.

    People who prefer phone or post are not emailed; the coordinator contacts them (the
    reminders layer lists them: reminders.services.meeting_invite_and_list).
    Only Active advisors can be invited: a ValidationError names the others.
    Returns the new invitations.
    """
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError("This meeting has been cancelled, so no one can be invited.")
    not_invitable = [a for a in advisors if not a.gets_invitations]
    if not_invitable:
        names = ", ".join(a.full_name for a in not_invitable)
        raise ValidationError(
            f"Only active advisors can be invited; not active (paused or left): {names}."
        )
    with transaction.atomic():
        already = set(meeting.invitations.values_list("advisor_id", flat=True))
        new = [
            Invitation(meeting=meeting, advisor=a, invited_by=by)
            for a in advisors
            if a.pk not in already
        ]
        Invitation.objects.bulk_create(new)
        ics = meeting_ics(meeting=meeting)
        for invitation in new:
            advisor = invitation.advisor
            if advisor.email and advisor.contact_method == ContactMethod.EMAIL:
                message = make_message(
                    "meeting-invitation", advisor.email, {"meeting": meeting, "advisor": advisor}
                )
                message.attach("meeting.ics", ics, "text/calendar")
                transaction.on_commit(message.send)
    return new


def advisors_for_invite(
    *, meeting: Meeting, who: str, advisors: list[Advisor] | None = None
) -> list[Advisor]:
    """Advisors chosen one by one, the meeting's project team, or the whole PIEG (active
    advisors only)."""
    if who == "chosen":
        if not advisors:
            raise ValidationError("Choose at least one advisor to invite.")
        return list(advisors)
    if who == "project":
        if meeting.project_id is None:
            raise ValidationError(
                "This meeting is not linked to a project, so there is no project team to invite."
            )
        return list(
            Advisor.objects.active()
            .filter(project_assignments__project_id=meeting.project_id)
            .distinct()
        )
    if who == "pieg":
        return list(Advisor.objects.active().filter(pieg_member=True))
    raise ValidationError("Choose who to invite.")


def rsvp_answer(
    *,
    invitation: Invitation,
    rsvp: str,
    needs: str | None = None,
    by: User | None = None,
    how: str = Invitation.AnsweredHow.PORTAL,
) -> Invitation:
    """Record an invitee's answer: from the portal, or told to the PIE team (by phone, post or
    in person) and entered by them. Records who entered it and how it came.

    `needs=None` keeps the needs already recorded (the staff page records the answer only).
    """
    if rsvp == Invitation.RSVP.PENDING:
        raise ValidationError("Choose yes, no or maybe.")
    if invitation.meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError("This meeting has been cancelled.")
    if not invitation.advisor.can_take_part:
        raise ValidationError(
            f"{invitation.advisor.full_name} has left the advisor register, "
            "so an answer cannot be recorded."
        )
    if how != Invitation.AnsweredHow.PORTAL and (by is None or not by.has_role(Role.PIE_TEAM)):
        raise PermissionDenied(
            "Only the PIE team records answers given by phone, post or in person."
        )
    # Once a meeting is over, an answer on the portal changes nothing but the record; the PIE
    # team can still enter one told to them late (attendance is recorded separately).
    if how == Invitation.AnsweredHow.PORTAL and invitation.meeting.ends_at <= timezone.now():
        raise ValidationError(
            "This meeting is over, so your answer can no longer be changed. "
            "If something is wrong, please contact the PIE team."
        )
    invitation.rsvp = rsvp
    if needs is not None:
        invitation.needs = needs
    invitation.responded_at = timezone.now()
    invitation.answered_by = by
    invitation.answered_how = how
    invitation.full_clean()
    invitation.save(update_fields=["rsvp", "needs", "responded_at", "answered_by", "answered_how"])
    return invitation


# --- agenda ---------------------------------------------------------------------------------


def agenda_propose(
    *, meeting: Meeting, by: User, title: str, description: str, speaker: str
) -> AgendaItem:
    """An invitee (or staff) proposes an item before the deadline."""
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(
            "This meeting has been cancelled, so it is not taking agenda proposals."
        )
    if not meeting.agenda_open:
        if meeting.agenda_deadline is None:
            raise ValidationError("This meeting is not taking agenda proposals.")
        raise ValidationError(
            f"The deadline for agenda proposals was {deadline_words(meeting.agenda_deadline)}. "
            "Please contact the Involvement Coordinator if it is urgent."
        )
    item = AgendaItem(
        meeting=meeting,
        proposed_by=by,
        title=title,
        description=description,
        speaker=speaker,
        order=meeting.agenda_items.count() + 1,
    )
    item.full_clean()
    item.save()
    return item


def agenda_decide(
    *, item: AgendaItem, status: str, reason: str, order: int | None, by: User
) -> AgendaItem:
    if not by.has_role(Role.PIE_TEAM):
        raise PermissionDenied("Only the PIE team decides the agenda.")
    if status in (AgendaItem.Status.DEFERRED, AgendaItem.Status.DECLINED) and not reason.strip():
        raise ValidationError(
            "Give a reason when deferring or declining: the person who proposed it will see it."
        )
    item.status, item.reason = status, reason
    if order is not None:
        item.order = order
    item.full_clean()
    item.save(update_fields=["status", "reason", "order"])
    return item


@dataclass
class AgendaDecision:
    item: AgendaItem
    status: str
    reason: str
    order: int | None = None


def agenda_decide_many(
    *, meeting: Meeting, decisions: list[AgendaDecision], by: User
) -> list[AgendaItem]:
    """Decide several of the meeting's agenda items together: every decision is saved, or none.

    Raises a ValidationError keyed by item id that lists every item refused, not just the
    first, so each row can say what it needs. The items passed in may hold the decisions tried
    even when none was saved: read what is saved before calling.
    """
    errors: dict[int, list[str]] = {}
    with transaction.atomic():
        for decision in decisions:
            item = decision.item
            if item.meeting_id != meeting.pk:
                errors[item.pk] = ["This item is on the agenda of another meeting."]
                continue
            try:
                agenda_decide(
                    item=item,
                    status=decision.status,
                    reason=decision.reason,
                    order=decision.order,
                    by=by,
                )
            except ValidationError as exc:
                errors[item.pk] = exc.messages
        if errors:
            # Raised inside the transaction, so the decisions already saved are rolled back.
            raise ValidationError(errors)
    return [decision.item for decision in decisions]


def agenda_publish(*, meeting: Meeting, by: User) -> Meeting:
    if not by.has_role(Role.PIE_TEAM):
        raise PermissionDenied("Only the PIE team publishes the agenda.")
    meeting.agenda_published_at = timezone.now()
    meeting.save(update_fields=["agenda_published_at"])
    return meeting


# --- cancellation ---------------------------------------------------------------------------


def meeting_cancel(*, meeting: Meeting, by: User) -> int:
    """Cancel and tell every invitee once (a second call, or a double click, tells no one).

    Returns how many invitees were emailed.
    """
    with transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).exclude(status=Meeting.Status.CANCELLED).update(
            status=Meeting.Status.CANCELLED, cancelled_at=timezone.now()
        )
        # Claim the notification: only the run that sets the stamp sends.
        claimed = Meeting.objects.filter(pk=meeting.pk, cancellation_notified_at=None).update(
            cancellation_notified_at=timezone.now()
        )
        meeting.refresh_from_db()
        if not claimed:
            return 0
        ics = meeting_ics(meeting=meeting)
        sent = 0
        for invitation in meeting.invitations.select_related("advisor").exclude(
            rsvp=Invitation.RSVP.NO
        ):
            advisor = invitation.advisor
            if advisor.email:
                message = make_message(
                    "meeting-cancelled", advisor.email, {"meeting": meeting, "advisor": advisor}
                )
                message.attach("meeting.ics", ics, "text/calendar")
                transaction.on_commit(message.send)
                sent += 1
    return sent


# --- attendance -----------------------------------------------------------------------------


@dataclass
class AttendanceRow:
    advisor_id: int
    status: str
    minutes_attended: int | None = None
    preparation_hours: Decimal = Decimal("0.00")


def attendance_confirm(
    *,
    meeting: Meeting,
    rows: list[AttendanceRow],
    by: User,
    pie_lead_present: bool | None = None,
) -> list[Attendance]:
    """Record attendance for invitees (and, at a management meeting, whether a PIE lead came).

    All or nothing. The meeting row is locked, so two confirmations at once run one after
    the other; with the unique constraints that leaves one attendance each. Paying for it is
    the caller's next step (payments.services.attendance_confirm_and_pay), in the same
    transaction.
    """
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError("This meeting was cancelled: there is no attendance to record.")
    if meeting.starts_at > timezone.now():
        raise ValidationError("This meeting has not started yet: record attendance after it.")
    invited = set(meeting.invitations.values_list("advisor_id", flat=True))
    results = []
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status == Meeting.Status.CANCELLED:  # cancelled while we waited for the lock
            raise ValidationError("This meeting was cancelled: there is no attendance to record.")
        for row in rows:
            if row.advisor_id not in invited:
                raise ValidationError(
                    "Attendance can only be recorded for people invited to the meeting."
                )
            attendance, _ = Attendance.objects.select_for_update().get_or_create(
                meeting=meeting, advisor_id=row.advisor_id, defaults={"status": row.status}
            )
            attendance.status = row.status
            attendance.minutes_attended = (
                row.minutes_attended if row.status == Attendance.Status.PARTLY else None
            )
            attendance.preparation_hours = (
                row.preparation_hours if row.status != Attendance.Status.ABSENT else Decimal("0.00")
            )
            attendance.confirmed_at, attendance.confirmed_by = timezone.now(), by
            attendance.full_clean()
            attendance.save()
            results.append(attendance)
        update = []
        if meeting.status == Meeting.Status.SCHEDULED:
            meeting.status = Meeting.Status.HELD
            update.append("status")
        if pie_lead_present is not None and meeting.type == Meeting.Type.MANAGEMENT:
            meeting.pie_lead_present = pie_lead_present
            update.append("pie_lead_present")
        if update:
            meeting.save(update_fields=update)
    return results


def management_presence_share() -> tuple[int, int]:
    """(management meetings held with at least one advisor attending, management meetings held)."""
    held = Meeting.objects.management_held()
    total = held.count()
    with_advisor = (
        held.filter(attendances__status__in=[Attendance.Status.ATTENDED, Attendance.Status.PARTLY])
        .distinct()
        .count()
    )
    return with_advisor, total


def meeting_url(meeting: Meeting) -> str:
    return f"{settings.SITE_URL}{reverse('meetings:portal-detail', args=[meeting.pk])}"
