"""The PIE team's reminders log: what was sent, who to call or write to (ticked off when
done), who we have not seen; and inviting advisors to a meeting, which puts people who
prefer phone or post on that list."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ascru_pie.access import role_required
from ascru_pie.lib.forms import posted
from ascru_pie.lib.paging import page_of
from ascru_pie.roles import Role
from ascru_pie.templatetags.words import plural_text
from meetings import services as meetings_services
from meetings.access import get_meeting_for_user
from meetings.forms_staff import InviteForm, RSVPRecordForm
from meetings.models import Meeting
from meetings.views.staff import render_detail

from . import services
from .forms import ContactDoneForm, DeliveryFilterForm
from .models import Delivery
from .services import inactive_advisors

DELIVERIES_PER_PAGE = 50
# Ticked-off calls and letters stay on the page this long (and in the log for good).
DONE_SHOWN = 20
# The longest the call list, the post list, the failed emails and the inactive advisors get
# on the page, each with how many there are in all: ticking one off brings up the next.
SHOWN = 25


def _first_with_total(rows, n: int = SHOWN) -> tuple[list, int]:
    """The first `n` rows and how many there are in all, in one query (a window count)."""
    first = list(rows.annotate(total=Window(Count("pk")))[:n])
    return first, (first[0].total if first else 0)


@role_required(Role.PIE_TEAM)
def reminders_log(request: HttpRequest) -> HttpResponse:
    """Reminders sent (or not), advisors not involved for a while, and today's call/post list.

    A fixed number of queries however long the log: each list is capped at SHOWN with its
    total from a window count, and the log is paged (the count and the page)."""
    form = DeliveryFilterForm(request.GET)
    form.is_valid()
    # An invalid filter is shown as an error and left out.
    status = form.cleaned_data.get("status")
    deliveries = Delivery.objects.select_related("advisor", "user").order_by("-created_at", "-pk")
    if status:
        deliveries = deliveries.filter(status=status)
    page, page_range = page_of(request, deliveries, DELIVERIES_PER_PAGE)

    now = timezone.now()
    # Every call and letter not yet ticked off, however old: it stays until someone does it.
    # Not Paused or Left advisors, and not invitations to a cancelled meeting (to_contact).
    # The first SHOWN of each channel by surname, with how many in all: a narrow query
    # ranks them (window functions), then only those rows are loaded with what they show.
    ranked = dict(
        Delivery.objects.to_contact()
        .annotate(
            total=Window(Count("pk"), partition_by=[F("channel")]),
            place=Window(
                RowNumber(),
                partition_by=[F("channel")],
                order_by=[F("advisor__last_name"), F("advisor__first_name"), F("pk")],
            ),
        )
        .filter(place__lte=SHOWN)
        .values_list("pk", "total")
    )
    to_contact = list(
        Delivery.objects.filter(pk__in=ranked)
        .select_related("advisor", "user", "meeting")
        .order_by("channel", "advisor__last_name", "advisor__first_name", "pk")
    )
    done = list(
        Delivery.objects.filter(
            channel__in=[Delivery.Channel.CALL, Delivery.Channel.POST],
            status=Delivery.Status.LISTED,
        )
        .exclude(done_at=None)
        .select_related("advisor", "user", "meeting", "done_by")
        .order_by("-done_at", "-pk")[:DONE_SHOWN]
    )
    failed, failed_total = _first_with_total(
        Delivery.objects.failed_open()
        .select_related("advisor", "user")
        .order_by("-created_at", "-pk")
    )
    inactive, inactive_total = _first_with_total(inactive_advisors(now))
    for advisor in inactive:
        dates = [d for d in (advisor.last_invited, advisor.last_attended, advisor.last_claim) if d]
        advisor.last_involved = max(dates) if dates else None

    contact_lists = []
    for channel, heading, empty in [
        (Delivery.Channel.CALL, "To call", "No one to call."),
        (Delivery.Channel.POST, "To write to", "No one to write to."),
    ]:
        items = [d for d in to_contact if d.channel == channel]
        contact_lists.append(
            (
                channel,
                [(d, ContactDoneForm(auto_id=f"d-{d.pk}-%s")) for d in items],
                heading,
                empty,
                ranked[items[0].pk] if items else 0,
            )
        )
    return render(
        request,
        "reminders/log.html",
        {
            "form": form,
            "page": page,
            "page_range": page_range,
            "contact_lists": contact_lists,
            "shown": SHOWN,
            "done": done,
            "failed": failed,
            "failed_total": failed_total,
            "inactive": inactive,
            "inactive_total": inactive_total,
            "inactive_days": settings.REMINDER_INACTIVE_DAYS,
        },
    )


# The role check comes first, so a stranger gets the login page or 403, never a 405.
@role_required(Role.PIE_TEAM)
@require_POST
def contact_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick off a call or letter on the list: who did it, when, and what came of it."""
    delivery = get_object_or_404(
        Delivery.objects.select_related("advisor").filter(
            channel__in=[Delivery.Channel.CALL, Delivery.Channel.POST]
        ),
        pk=pk,
    )
    form = ContactDoneForm(request.POST)
    # The note is optional and only its length can be wrong; a long one is cut, not refused.
    outcome = form.cleaned_data["outcome"] if form.is_valid() else ""
    if services.contact_done(delivery=delivery, by=request.user, outcome=outcome):
        what = "Call" if delivery.channel == Delivery.Channel.CALL else "Letter"
        messages.success(request, f"{what} to {delivery.person} ticked off.")
    else:
        messages.info(request, f"This was already ticked off by {delivery.done_by}.")
    return redirect(f"{reverse('reminders:log')}#contact-heading")


# The role check comes first, so a stranger gets the login page or 403, never a 405.
@role_required(Role.PIE_TEAM)
@require_POST
def failed_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Send an email that could not be sent again (the sweeper sends it within a minute)."""
    delivery = get_object_or_404(Delivery.objects.select_related("advisor", "user"), pk=pk)
    try:
        retried = services.failed_retry(delivery=delivery)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if retried:
            messages.success(request, f"The email to {delivery.person} will be tried again.")
        else:
            messages.info(request, f"The email to {delivery.person} was already tried again.")
    return redirect(f"{reverse('reminders:log')}#failed-heading")


@role_required(Role.PIE_TEAM)
@require_POST
def failed_dealt_with(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick off an email that could not be sent as dealt with another way."""
    delivery = get_object_or_404(Delivery.objects.select_related("advisor", "user"), pk=pk)
    form = ContactDoneForm(request.POST)
    outcome = form.cleaned_data["outcome"] if form.is_valid() else ""
    if services.failed_dealt_with(delivery=delivery, by=request.user, outcome=outcome):
        messages.success(request, f"The email to {delivery.person} is ticked off as dealt with.")
    else:
        messages.info(request, f"The email to {delivery.person} was already dealt with.")
    return redirect(f"{reverse('reminders:log')}#failed-heading")


# --- Recording answers and cancelling (they tidy the call/post list) -----------------------


@role_required(Role.PIE_TEAM)
@require_POST
def rsvp_record(request: HttpRequest, pk: int, invitation: int) -> HttpResponse:
    """Record an answer an invitee gave by phone, by post or in person (one roster row), and
    tick off the call or letter inviting them."""
    meeting = get_meeting_for_user(request, pk)
    invitation = get_object_or_404(meeting.invitations.select_related("advisor"), pk=invitation)
    form = RSVPRecordForm(request.POST, invitation=invitation)
    if form.is_valid():
        try:
            services.rsvp_record_and_tick(
                invitation=invitation,
                rsvp=form.cleaned_data["rsvp"],
                by=request.user,
                how=form.cleaned_data["how"],
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"Answer saved for {invitation.advisor.full_name}: "
                f"{invitation.roster_answer_words} ({invitation.answered_words.lower()}).",
            )
            return redirect(f"{reverse('meetings:detail', args=[meeting.pk])}#roster-heading")
    return render_detail(request, meeting, bound=form, status=400)


@role_required(Role.PIE_TEAM)
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel and tell invitees: by email, or by a call or letter on the list for those with no
    email address. A meeting cancelled in the admin still gets its invitees told."""
    meeting = get_meeting_for_user(request, pk)
    result = services.meeting_cancel_and_list(meeting=meeting, by=request.user)
    if not result.told_now:
        messages.info(request, "This meeting was already cancelled; no one was told twice.")
        return redirect("meetings:detail", meeting.pk)
    text = f"Meeting cancelled; {plural_text(result.emailed, 'invitee')} told by email."
    if result.listed:
        names = ", ".join(a.full_name for a in result.listed)
        text += (
            f" No email address, so on the list of people to call or write to (Reminders): {names}."
        )
    messages.success(request, text)
    return redirect("meetings:detail", meeting.pk)


# --- Inviting advisors to a meeting ---------------------------------------------------------


@role_required(Role.PIE_TEAM)
def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite advisors chosen with checkboxes, the project team or the PIEG, in one go; warn
    first about overlapping meetings. New invitees who prefer phone or post go on the call/post
    list (services.meeting_invite_and_list)."""
    meeting = get_meeting_for_user(request, pk)
    form = InviteForm(posted(request), meeting=meeting)
    clashes: list[meetings_services.Clash] = []
    if request.method == "POST" and form.is_valid():
        try:
            advisors = meetings_services.advisors_for_invite(
                meeting=meeting,
                who=form.cleaned_data["who"],
                advisors=list(form.cleaned_data["advisors"]),
            )
            if not form.cleaned_data["confirm"]:
                # Only warn about people this would invite: the already invited are skipped.
                already = set(meeting.invitations.values_list("advisor_id", flat=True))
                clashes = meetings_services.invitation_clashes(
                    meeting=meeting, advisors=[a for a in advisors if a.pk not in already]
                )
            if not clashes:
                result = services.meeting_invite_and_list(
                    meeting=meeting, advisors=advisors, by=request.user
                )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            if not clashes:
                _invited_messages(request, result)
                return redirect("meetings:detail", meeting.pk)

    return render(
        request,
        "meetings/staff_invite.html",
        {
            "meeting": meeting,
            "form": form,
            "clashes": clashes,
            "n_invited": meeting.invitations.count(),
            "is_cancelled": meeting.status == Meeting.Status.CANCELLED,
        },
        status=400 if form.errors else 200,
    )


def _invited_messages(request: HttpRequest, result: services.InviteResult) -> None:
    if result.invited:
        text = f"{plural_text(len(result.invited), 'advisor')} invited."
    else:
        text = "Nobody new was invited: everyone ticked was already invited."
    if result.already:
        names = ", ".join(a.full_name for a in result.already)
        text += f" Already invited, so not invited again: {names}."
    messages.success(request, text)
    if result.listed:
        names = ", ".join(i.advisor.full_name for i in result.listed)
        messages.info(
            request,
            f"Not emailed, because they prefer phone or post or have no email address: {names}. "
            "They are on the list of people to call or write to (Reminders).",
        )
