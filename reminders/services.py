"""Reminder rules: who should be reminded of what, now. Each reminder is claimed once by its key.

A rule yields Reminder items; `reminders_queue` turns new ones into Delivery rows (a unique
key, so running twice, two beats or a retried task can never send the same reminder twice)
and sends email after commit. People who prefer phone or post are put on the coordinator's
daily contact list instead of being emailed. Advisors who withdrew consent to be contacted,
and advisors who are not Active (Paused or Left), get nothing.

Inviting advisors who prefer phone or post puts them on the same list at once
(`meeting_invite_and_list`, which the staff invite page calls); the `invitation_contacts`
rule catches invitations made elsewhere (the admin) on the next run, with the same key.

At scale (thousands of advisors), a run's work is bounded by what is due: each rule selects
only the candidates whose key has no delivery yet (`_not_sent`, NOT EXISTS on the unique key,
spelt in SQL), with what it needs joined in, and the new deliveries are made in bulk. So an
hour with nothing new to send costs a constant number of queries, whatever the register's size.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from advisors.models import Advisor, ContactMethod
from ascru_pie.celery import enqueue_on_commit
from ascru_pie.models import User
from ascru_pie.roles import Role
from impacts.models import Survey, SurveyReceipt
from meetings import services as meetings_services
from meetings.models import Attendance, Invitation, Meeting
from payments.models import Claim
from payments.selectors import budget_alerts, claims_at_risk
from projects.models import PIEPlan, Project, ProjectMembership

from .models import Delivery
from .tasks import delivery_send


@dataclass
class Reminder:
    key: str
    kind: str
    template: str
    context: dict = field(default_factory=dict)
    label: str = ""
    advisor: Advisor | None = None
    user: User | None = None
    meeting: Meeting | None = None


def _local_day(now: datetime):
    return timezone.localtime(now).date()


def _day_bounds(day) -> tuple[datetime, datetime]:
    """The local day as [start, end) instants, so an index on the timestamp can be used."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _not_sent(*parts) -> Exists:
    """No delivery has this key yet. The key is spelt in SQL from text and (outer) columns,
    exactly as the rule spells it in Python, so the check uses the key's unique index."""
    key = Concat(
        *(Value(p) if isinstance(p, str) else Cast(p, CharField()) for p in parts),
        output_field=CharField(),
    )
    return ~Exists(Delivery.objects.filter(key=key))


# Reminders go to Active advisors only: Paused and Left advisors get none (Advisor.gets_invitations).
ACTIVE = Q(advisor__status=Advisor.Status.ACTIVE)


# --- rules ---------------------------------------------------------------------------------------


def meeting_reminders(now: datetime) -> Iterator[Reminder]:
    """Confirmed attendees, N days before (N in REMINDER_MEETING_DAYS), with joining/access details."""
    for days in settings.REMINDER_MEETING_DAYS:
        start, end = _day_bounds(_local_day(now) + timedelta(days=days))
        invitations = Invitation.objects.filter(
            ACTIVE,
            _not_sent(
                f"meeting-{days}d:meeting-",
                OuterRef("meeting_id"),
                ":advisor-",
                OuterRef("advisor_id"),
            ),
            rsvp=Invitation.RSVP.YES,
            meeting__status=Meeting.Status.SCHEDULED,
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
        ).select_related("meeting", "advisor")
        for inv in invitations:
            yield Reminder(
                key=f"meeting-{days}d:meeting-{inv.meeting_id}:advisor-{inv.advisor_id}",
                kind=f"meeting-{days}d",
                template="reminder-meeting",
                context={"meeting": inv.meeting_id, "days": days},
                label=str(inv.meeting),
                advisor=inv.advisor,
                meeting=inv.meeting,
            )


def rsvp_chasers(now: datetime) -> Iterator[Reminder]:
    soon = now + timedelta(days=settings.REMINDER_RSVP_CHASE_WITHIN_DAYS)
    invitations = Invitation.objects.filter(
        ACTIVE,
        _not_sent(
            "rsvp-chase:meeting-", OuterRef("meeting_id"), ":advisor-", OuterRef("advisor_id")
        ),
        rsvp=Invitation.RSVP.PENDING,
        meeting__status=Meeting.Status.SCHEDULED,
        meeting__starts_at__gt=now,
        meeting__starts_at__lte=soon,
        invited_at__lte=now - timedelta(days=settings.REMINDER_RSVP_CHASE_AFTER_DAYS),
    ).select_related("meeting", "advisor")
    for inv in invitations:
        yield Reminder(
            key=f"rsvp-chase:meeting-{inv.meeting_id}:advisor-{inv.advisor_id}",
            kind="rsvp-chase",
            template="reminder-rsvp",
            context={"meeting": inv.meeting_id},
            label=str(inv.meeting),
            advisor=inv.advisor,
            meeting=inv.meeting,
        )


def agenda_deadline_reminders(now: datetime) -> Iterator[Reminder]:
    invitations = (
        Invitation.objects.filter(
            ACTIVE,
            _not_sent(
                "agenda-deadline:meeting-",
                OuterRef("meeting_id"),
                ":advisor-",
                OuterRef("advisor_id"),
            ),
            meeting__status=Meeting.Status.SCHEDULED,
            meeting__agenda_deadline__gt=now,
            meeting__agenda_deadline__lte=now
            + timedelta(days=settings.REMINDER_AGENDA_DEADLINE_DAYS),
        )
        .exclude(rsvp=Invitation.RSVP.NO)
        .select_related("meeting", "advisor")
    )
    for inv in invitations:
        yield Reminder(
            key=f"agenda-deadline:meeting-{inv.meeting_id}:advisor-{inv.advisor_id}",
            kind="agenda-deadline",
            template="reminder-agenda",
            context={"meeting": inv.meeting_id},
            label=str(inv.meeting),
            advisor=inv.advisor,
            meeting=inv.meeting,
        )


def pie_team_users() -> list[User]:
    return list(User.objects.filter(groups__name=Role.PIE_TEAM, is_active=True).exclude(email=""))


def budgets_over(now: datetime) -> list[dict]:
    """Project budgets and this financial year's central budgets at 80% or more committed,
    over-budget ones first (payments.selectors.budget_alerts; stored on the digest's
    delivery, so plain values)."""
    return [
        {
            "kind": alert.kind,
            "name": alert.name,
            "percent": alert.percent,
            "over": alert.status.warning == "over",
        }
        for alert in budget_alerts(today=_local_day(now))
    ]


def pie_team_digest(now: datetime) -> Iterator[Reminder]:
    """Once a day: claims waiting too long, claims at risk of missing the target, plans waiting
    for review, budgets at 80% or more and over 100%. Once the day's digest is made, later
    runs that day cost one query (the figures are only worked out while someone has not had
    it yet)."""
    day = _local_day(now).isoformat()
    users = list(
        User.objects.filter(groups__name=Role.PIE_TEAM, is_active=True)
        .exclude(email="")
        .filter(_not_sent(f"pie-digest:{day}:user-", OuterRef("pk")))
    )
    if not users:
        return
    waiting = Claim.objects.filter(
        status=Claim.Status.SUBMITTED,
        created_at__lte=now - timedelta(days=settings.REMINDER_CLAIMS_WAITING_DAYS),
    ).count()
    at_risk = claims_at_risk(today=_local_day(now)).count()
    plans = PIEPlan.objects.filter(
        status__in=PIEPlan.IN_REVIEW,
        submitted_at__lte=now - timedelta(days=settings.REMINDER_PLANS_WAITING_DAYS),
    ).count()
    budgets = budgets_over(now)
    if not (waiting or at_risk or plans or budgets):
        return
    for user in users:
        yield Reminder(
            key=f"pie-digest:{day}:user-{user.pk}",
            kind="pie-digest",
            template="reminder-digest",
            context={
                "waiting": waiting,
                "at_risk": at_risk,
                "plans": plans,
                "budgets_over": [b for b in budgets if b["over"]],
                "budgets_near": [b for b in budgets if not b["over"]],
            },
            label=f"Digest for {day}",
            user=user,
        )


def impact_prompts(now: datetime) -> Iterator[Reminder]:
    """Two days after a project meeting, ask its project's lead what involvement did."""
    start, end = _day_bounds(_local_day(now) - timedelta(days=settings.REMINDER_IMPACT_AFTER_DAYS))
    meetings = Meeting.objects.filter(
        project__isnull=False, ends_at__gte=start, ends_at__lt=end
    ).exclude(status=Meeting.Status.CANCELLED)
    leads = ProjectMembership.objects.filter(
        role=ProjectMembership.Role.LEAD,
        project__in=meetings.values("project"),
        user__is_active=True,
    ).select_related("user")
    by_project: dict[int, list[User]] = {}
    for m in leads:
        by_project.setdefault(m.project_id, []).append(m.user)
    for meeting in meetings.select_related("project"):
        for user in by_project.get(meeting.project_id, []):
            yield Reminder(
                key=f"impact-prompt:meeting-{meeting.pk}:user-{user.pk}",
                kind="impact-prompt",
                template="reminder-impact",
                context={"meeting": meeting.pk, "project": meeting.project_id},
                label=str(meeting),
                user=user,
                meeting=meeting,
            )


def inactive_advisors(now: datetime, *, days: int | None = None):
    """Active advisors with no attendance, invitation or claim in the last `days` days, by
    surname, with the moment of each kind of involvement last happened (or None).

    One NOT EXISTS per relation picks them (an index look-up per advisor), and one subquery
    per relation dates the few that are left: not Max() over three reverse joins at once,
    whose rows multiply (43 million intermediate rows to find 6 advisors at 5,000).
    """
    days = days or settings.REMINDER_INACTIVE_DAYS
    since = now - timedelta(days=days)
    invitations = Invitation.objects.filter(advisor=OuterRef("pk"))
    # Being absent is not involvement.
    attendances = Attendance.objects.filter(advisor=OuterRef("pk")).exclude(
        status=Attendance.Status.ABSENT
    )
    claims = Claim.objects.filter(advisor=OuterRef("pk"))

    def latest(rows, field: str) -> Subquery:
        return Subquery(rows.order_by(f"-{field}").values(field)[:1])

    return (
        Advisor.objects.active()
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lt=_local_day(since)))
        .exclude(Exists(invitations.filter(invited_at__gte=since)))
        .exclude(Exists(attendances.filter(meeting__starts_at__gte=since)))
        .exclude(Exists(claims.filter(created_at__gte=since)))
        .annotate(
            last_invited=latest(invitations, "invited_at"),
            last_attended=latest(attendances, "meeting__starts_at"),
            last_claim=latest(claims, "created_at"),
        )
        .order_by("last_name", "first_name")
    )


def inactive_checkins(now: datetime) -> Iterator[Reminder]:
    """One check-in per spell without involvement: the key is the date involvement last
    happened, so a new check-in is only possible after the advisor has taken part again.

    Advisors checked in during the last REMINDER_INACTIVE_DAYS are not candidates: any
    involvement since then would have made them active, so it is the same spell (the key
    check in `_deliveries_create` still guards the rest)."""
    since = now - timedelta(days=settings.REMINDER_INACTIVE_DAYS)
    advisors = inactive_advisors(now).exclude(
        Exists(
            Delivery.objects.filter(kind="checkin", advisor=OuterRef("pk"), created_at__gte=since)
        )
    )
    for advisor in advisors:
        moments = [
            m for m in (advisor.last_invited, advisor.last_attended, advisor.last_claim) if m
        ]
        last = max((timezone.localtime(m).date() for m in moments), default=advisor.joined_on)
        yield Reminder(
            key=f"checkin:advisor-{advisor.pk}:since-{last.isoformat() if last else 'never'}",
            kind="checkin",
            template="reminder-checkin",
            label="We miss you",
            advisor=advisor,
        )


def survey_invitations(now: datetime) -> Iterator[Reminder]:
    """Active advisors who have neither answered an open annual survey nor been invited to it."""
    today = _local_day(now)
    for survey in Survey.objects.filter(
        kind=Survey.Kind.ANNUAL, opens_on__lte=today, closes_on__gte=today
    ):
        advisors = (
            Advisor.objects.active()
            .exclude(Exists(SurveyReceipt.objects.filter(survey=survey, advisor=OuterRef("pk"))))
            .filter(_not_sent(f"survey:survey-{survey.pk}:advisor-", OuterRef("pk")))
        )
        for advisor in advisors:
            yield Reminder(
                key=f"survey:survey-{survey.pk}:advisor-{advisor.pk}",
                kind="survey",
                template="reminder-survey",
                context={"survey": survey.pk},
                label=survey.title,
                advisor=advisor,
            )


def _not_emailed() -> Q:
    """Invitees meeting_invite does not email: they prefer phone or post, or have no email."""
    return ~Q(advisor__contact_method=ContactMethod.EMAIL) | Q(advisor__email="")


def _invitation_contact(inv: Invitation) -> Reminder:
    return Reminder(
        key=f"invite:meeting-{inv.meeting_id}:advisor-{inv.advisor_id}",
        kind="invite",
        template="meeting-invitation",
        context={"meeting": inv.meeting_id},
        label=str(inv.meeting),
        advisor=inv.advisor,
        meeting=inv.meeting,
    )


def invitation_contacts(now: datetime) -> Iterator[Reminder]:
    """New invitations of advisors who prefer phone or post, to upcoming meetings: the
    coordinator phones or writes to invite them (once: the key is the invitation's)."""
    invitations = (
        Invitation.objects.filter(
            ACTIVE,
            _not_emailed(),
            meeting__status=Meeting.Status.SCHEDULED,
            meeting__starts_at__gt=now,
        )
        # Those already listed are left out here, so a run's queries do not grow with them.
        .filter(
            _not_sent(
                "invite:meeting-", OuterRef("meeting_id"), ":advisor-", OuterRef("advisor_id")
            )
        )
        .select_related("meeting", "advisor")
    )
    for inv in invitations:
        yield _invitation_contact(inv)


RULES = [
    invitation_contacts,
    meeting_reminders,
    rsvp_chasers,
    agenda_deadline_reminders,
    pie_team_digest,
    impact_prompts,
    inactive_checkins,
    survey_invitations,
]


# --- claiming and sending --------------------------------------------------------------------


def _channel(reminder: Reminder) -> tuple[str, str]:
    """Email, or the coordinator's call/post list for people who prefer that (or have no email)."""
    if reminder.user is not None:
        return Delivery.Channel.EMAIL, reminder.user.email
    advisor = reminder.advisor
    if advisor.contact_method == ContactMethod.PHONE or (not advisor.email and advisor.phone):
        return Delivery.Channel.CALL, advisor.phone
    if advisor.contact_method == ContactMethod.POST or not advisor.email:
        return Delivery.Channel.POST, advisor.address
    return Delivery.Channel.EMAIL, advisor.email


def reminders_queue(*, now: datetime | None = None) -> list[int]:
    """Claim every due reminder that was never claimed before; return the new email deliveries' ids.

    A reminder whose key exists already is skipped: that is what makes it at most once.
    Advisors whose latest contact consent is a withdrawal are skipped (nothing is recorded,
    so giving consent again lets later reminders through), and so are advisors who are not
    Active (Paused or Left).
    """
    now = now or timezone.now()
    new_emails = _deliveries_create((reminder for rule in RULES for reminder in rule(now)), now=now)
    _send_to_worker(new_emails)
    return new_emails


# Keys checked per query (SQLite allows some 32,000 parameters; PostgreSQL many more).
KEYS_PER_QUERY = 500


def _deliveries_create(reminders, *, now: datetime) -> list[int]:
    """A delivery for each reminder whose key is new, made in bulk; returns the email
    deliveries' ids. A constant number of queries for any number of reminders (none when
    there are none), apart from the batches of very large runs."""
    fresh: dict[str, Reminder] = {}
    for reminder in reminders:
        fresh.setdefault(reminder.key, reminder)
    if not fresh:
        return []
    # Advisors who have withdrawn consent to be contacted get no reminder of any kind.
    advisor_ids = {r.advisor.pk for r in fresh.values() if r.advisor is not None}
    withdrawn = (
        set(
            Advisor.objects.filter(pk__in=advisor_ids)
            .contact_withdrawn()
            .values_list("pk", flat=True)
        )
        if advisor_ids
        else set()
    )
    keys = list(fresh)
    taken: set[str] = set()
    for at in range(0, len(keys), KEYS_PER_QUERY):
        chunk = keys[at : at + KEYS_PER_QUERY]
        taken.update(Delivery.objects.filter(key__in=chunk).values_list("key", flat=True))
    rows = [
        _delivery_for(reminder, now=now)
        for reminder in fresh.values()
        if reminder.key not in taken
        and not (
            reminder.advisor is not None
            and (reminder.advisor.pk in withdrawn or not reminder.advisor.gets_invitations)
        )
    ]
    if not rows:
        return []
    try:
        with transaction.atomic():
            created = Delivery.objects.bulk_create(rows)
    except IntegrityError:
        # Another run claimed some of these a moment ago: claim the rest one by one.
        created = [d for d in map(_delivery_claim, rows) if d is not None]
    return [d.pk for d in created if d.channel == Delivery.Channel.EMAIL]


def _delivery_for(reminder: Reminder, *, now: datetime) -> Delivery:
    channel, recipient = _channel(reminder)
    email = channel == Delivery.Channel.EMAIL
    return Delivery(
        key=reminder.key,
        kind=reminder.kind,
        object_label=reminder.label[:300],
        meeting=reminder.meeting,
        advisor=reminder.advisor,
        user=reminder.user,
        recipient=recipient or "",
        channel=channel,
        template=reminder.template,
        context=reminder.context,
        status=Delivery.Status.PENDING if email else Delivery.Status.LISTED,
        task_due_at=now if email else None,
    )


def _delivery_claim(delivery: Delivery) -> Delivery | None:
    """Save one delivery, or None if its key was claimed already."""
    try:
        with transaction.atomic():
            delivery.save(force_insert=True)
    except IntegrityError:
        return None
    return delivery


# --- inviting people who prefer phone or post ---------------------------------------------


@dataclass
class InviteResult:
    invited: list[Invitation]
    already: list[Advisor]
    # The new invitees put on the coordinator's call/post list (not emailed).
    listed: list[Invitation]


def meeting_invite_and_list(
    *, meeting: Meeting, advisors: list[Advisor], by: User, now: datetime | None = None
) -> InviteResult:
    """Invite advisors (meetings.services.meeting_invite emails those who prefer email), and put
    the new invitees who prefer phone or post on the call/post list, in one transaction.

    Only Active advisors can be invited (meeting_invite raises a ValidationError naming the
    others). Advisors already invited are not invited again. The list entry's key is the one `invitation_contacts` uses,
    so the next reminder run does not list them twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        already_ids = set(meeting.invitations.values_list("advisor_id", flat=True))
        invited = meetings_services.meeting_invite(meeting=meeting, advisors=advisors, by=by)
        listed = [
            inv
            for inv in invited
            if inv.advisor.contact_method != ContactMethod.EMAIL or not inv.advisor.email
        ]
        _deliveries_create((_invitation_contact(inv) for inv in listed), now=now)
    return InviteResult(
        invited=invited,
        already=[a for a in advisors if a.pk in already_ids],
        listed=listed,
    )


# --- cancelling: telling people who are not emailed ----------------------------------------


@dataclass
class CancelResult:
    # False when the meeting's invitees had been told before (a second click tells no one).
    told_now: bool
    emailed: int
    # Invitees put on the call/post list to be told (they have no email address).
    listed: list[Advisor]


def meeting_cancel_and_list(
    *, meeting: Meeting, by: User, now: datetime | None = None
) -> CancelResult:
    """Cancel (meetings.services.meeting_cancel emails invitees with an email address), put a
    "cancelled" call or letter on the list for every other invitee who had not said no, and
    tick off the meeting's open invitation calls and letters: nobody is phoned to be invited
    to a cancelled meeting. Once only: the list entries' keys are per meeting and advisor."""
    now = now or timezone.now()
    with transaction.atomic():
        told_before = meeting.cancellation_notified_at is not None
        emailed = meetings_services.meeting_cancel(meeting=meeting, by=by)
        not_emailed = list(
            meeting.invitations.filter(advisor__email="")
            .exclude(rsvp=Invitation.RSVP.NO)
            .select_related("advisor")
        )
        _deliveries_create(
            (
                Reminder(
                    key=f"cancelled:meeting-{meeting.pk}:advisor-{inv.advisor_id}",
                    kind="cancelled",
                    template="meeting-cancelled",
                    context={"meeting": meeting.pk},
                    label=str(meeting),
                    advisor=inv.advisor,
                    meeting=meeting,
                )
                for inv in not_emailed
            ),
            now=now,
        )
        Delivery.objects.filter(kind="invite", meeting=meeting, done_at=None).update(
            done_at=now, done_by=by, outcome="Not needed: the meeting was cancelled."
        )
        listed = [
            d.advisor
            for d in Delivery.objects.filter(kind="cancelled", meeting=meeting)
            .select_related("advisor")
            .order_by("advisor__last_name", "advisor__first_name", "pk")
        ]
    return CancelResult(told_now=not told_before, emailed=emailed, listed=listed)


# --- answers told by phone, post or in person ---------------------------------------------


def rsvp_record_and_tick(*, invitation: Invitation, rsvp: str, by: User, how: str) -> Invitation:
    """Record an answer given by phone, post or in person (meetings.services.rsvp_answer) and
    tick off the open call or letter inviting that advisor to that meeting, saying what they
    answered."""
    with transaction.atomic():
        invitation = meetings_services.rsvp_answer(invitation=invitation, rsvp=rsvp, by=by, how=how)
        Delivery.objects.filter(
            kind="invite",
            meeting_id=invitation.meeting_id,
            advisor_id=invitation.advisor_id,
            done_at=None,
        ).update(
            done_at=timezone.now(),
            done_by=by,
            outcome=(
                f"Answered: {invitation.roster_answer_words} "
                f"({invitation.get_answered_how_display().lower()})"
            )[:500],
        )
    return invitation


# --- emails that could not be sent ----------------------------------------------------------


def failed_retry(*, delivery: Delivery) -> bool:
    """Send a failed email again: it goes back to waiting, with no task, so the sweeper
    (deliveries_sweep, every 30 seconds) sends it. Returns False if it was not failed (a
    double click re-queues once)."""
    if delivery.channel != Delivery.Channel.EMAIL:
        raise ValidationError("Only emails that could not be sent can be tried again.")
    done = Delivery.objects.filter(
        pk=delivery.pk, status=Delivery.Status.FAILED, done_at=None
    ).update(status=Delivery.Status.PENDING, attempts=0, task_due_at=None, claimed_at=None)
    delivery.refresh_from_db()
    return bool(done)


def failed_dealt_with(*, delivery: Delivery, by: User, outcome: str = "") -> bool:
    """Tick off a failed email as dealt with another way (who, when, how); it no longer counts
    as a reminder that could not be sent. Returns False if already ticked off or not failed."""
    done = Delivery.objects.filter(
        pk=delivery.pk, status=Delivery.Status.FAILED, done_at=None
    ).update(done_at=timezone.now(), done_by=by, outcome=outcome.strip()[:500])
    delivery.refresh_from_db()
    return bool(done)


# --- the call/post list ---------------------------------------------------------------------


def contact_done(*, delivery: Delivery, by: User, outcome: str = "") -> bool:
    """Tick off a call or letter on the coordinator's list: who, when and what came of it.

    Claimed with a conditional UPDATE, so a double click or two coordinators at once record
    it once; returns False when it was already ticked off (nothing is changed).
    """
    if delivery.channel not in (Delivery.Channel.CALL, Delivery.Channel.POST):
        raise ValidationError("Only calls and letters on the list can be ticked off.")
    done = Delivery.objects.filter(pk=delivery.pk, done_at=None).update(
        done_at=timezone.now(), done_by=by, outcome=outcome.strip()[:500]
    )
    delivery.refresh_from_db()
    return bool(done)


def _send_to_worker(delivery_ids: list[int]) -> None:
    """Enqueue delivery_send for each after commit; what the broker does not take is marked
    as having no task, and the sweeper sends it when the broker is back."""
    enqueue_on_commit(
        delivery_send,
        delivery_ids,
        unsent=lambda ids: Delivery.objects.filter(pk__in=ids).update(task_due_at=None),
    )


# The most deliveries one sweep sends; the next sweep sends the rest.
SWEEP_BATCH = 1000


def deliveries_sweep(*, now: datetime | None = None) -> int:
    """Beat, every 30 seconds: send every email delivery that has no live task; return how many.

    That is a pending one the broker never took (or whose task was lost), and a send claimed
    by a worker that died (SEND_LEASE ago). Safe to run twice or overlapping: the rows being
    sent are locked and stamped, and delivery_send claims each send once, so a spare task
    does nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # skip_locked: an overlapping sweep leaves these to us (PostgreSQL; SQLite serialises).
        due = list(
            Delivery.objects.without_task(now=now)
            .select_for_update(skip_locked=True)
            .order_by("created_at", "pk")  # oldest first; pk breaks ties
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        Delivery.objects.filter(pk__in=due).update(task_due_at=now)
        _send_to_worker(due)
    return len(due)


def reminder_context(delivery: Delivery) -> dict:
    """What the email template needs, loaded fresh from the ids stored on the delivery."""
    ctx = {
        "delivery": delivery,
        "advisor": delivery.advisor,
        "user": delivery.user,
        **delivery.context,
    }
    if "meeting" in delivery.context:
        ctx["meeting"] = Meeting.objects.get(pk=delivery.context["meeting"])
    if "project" in delivery.context:
        ctx["project"] = Project.objects.get(pk=delivery.context["project"])
        ctx["record_url"] = (
            f"{settings.SITE_URL}{reverse('impacts:record', args=[ctx['project'].pk])}"
        )
    if "survey" in delivery.context:
        ctx["survey"] = Survey.objects.get(pk=delivery.context["survey"])
    return ctx
