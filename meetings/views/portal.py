"""Meetings in the advisor portal, and the calendar file and papers for staff and invitees.

Advisors see only the meetings they are invited to (others are 404), answer their own
invitation, and propose agenda items until the deadline.
"""

from pathlib import PurePosixPath

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ascru_pie.access import role_required

# Not used here: tests/browser/test_meetings_portal.py imports it from this module. Once that
# test imports it from ascru_pie.lib.dates, this line can go.
from ascru_pie.lib.dates import when_words  # noqa: F401
from ascru_pie.lib.forms import posted
from ascru_pie.lib.paging import page_of
from ascru_pie.roles import Role
from ascru_pie.templatetags.words import date_words

from .. import services
from ..access import get_invitation_for_user, get_meeting_for_user
from ..forms_portal import AgendaProposalForm, RSVPForm
from ..models import AgendaItem, Attendance, Invitation, Meeting, MeetingPaper

# --- Advisor portal ---------------------------------------------------------------------

# Past meetings a page at a time: the latest first, older ones on the next pages.
PAST_PER_PAGE = 10


@role_required(Role.ADVISOR)
def portal_list(request: HttpRequest) -> HttpResponse:
    """The advisor's own invitations: meetings coming up (soonest first), then past ones a
    page at a time, most recent first (an advisor of many years has hundreds)."""
    now = timezone.now()
    mine = Invitation.objects.filter(advisor__user=request.user).select_related("meeting")
    coming_up = list(
        mine.filter(meeting__ends_at__gte=now).order_by("meeting__starts_at", "meeting_id")
    )
    page, page_range = page_of(
        request,
        mine.filter(meeting__ends_at__lt=now).order_by("-meeting__starts_at", "-meeting_id"),
        PAST_PER_PAGE,
    )
    past = list(page.object_list)
    # Past meetings say whether they came (the register), not what they answered beforehand.
    attended = _attendance_by_meeting(request, [i.meeting_id for i in past]) if past else {}
    for invitation in past:
        invitation.attendance = attended.get(invitation.meeting_id)
    return render(
        request,
        "meetings/portal_list.html",
        {"coming_up": coming_up, "past": past, "page": page, "page_range": page_range},
    )


def _attendance_by_meeting(request: HttpRequest, meeting_ids: list[int]) -> dict:
    """The signed-in advisor's attendance at these meetings as the PIE team recorded it."""
    rows = Attendance.objects.filter(advisor__user=request.user, meeting_id__in=meeting_ids)
    return {a.meeting_id: a for a in rows.order_by()}


# Said when a Left advisor tries to answer or propose: they are no longer taking part.
LEFT_MESSAGE = (
    "You are no longer on the register of advisors, so you cannot answer invitations or "
    "propose agenda items. If you think this is wrong, please contact the Involvement "
    "Coordinator."
)


def _render_detail(
    request: HttpRequest,
    invitation: Invitation,
    *,
    rsvp_form: RSVPForm,
    proposal_form: AgendaProposalForm,
) -> HttpResponse:
    meeting = invitation.meeting
    proposals = list(
        AgendaItem.objects.filter(meeting=meeting, proposed_by=request.user).order_by(
            "created_at", "pk"
        )
    )
    agenda = []
    if meeting.agenda_published_at:
        agenda = list(
            meeting.agenda_items.filter(status=AgendaItem.Status.ACCEPTED).order_by(
                "order", "created_at", "pk"
            )
        )
    # Only the form that was sent can have errors; the summary at the top lists them.
    error_form = next((f for f in (rsvp_form, proposal_form) if f.is_bound and f.errors), None)
    is_cancelled = meeting.status == Meeting.Status.CANCELLED
    has_ended = meeting.ends_at < timezone.now()
    taking_part = invitation.advisor.can_take_part
    return render(
        request,
        "meetings/portal_detail.html",
        {
            "meeting": meeting,
            "invitation": invitation,
            "papers": list(meeting.papers.all()),
            "proposals": proposals,
            "agenda": agenda,
            "is_cancelled": is_cancelled,
            "has_ended": has_ended,
            # Answering a meeting that is over, or cancelled, means nothing; Left advisors
            # no longer take part (Paused ones still answer what they were invited to).
            "can_answer": not is_cancelled and not has_ended and taking_part,
            "taking_part": taking_part,
            "attendance": (
                _attendance_by_meeting(request, [meeting.pk]).get(meeting.pk) if has_ended else None
            ),
            "rsvp_form": rsvp_form,
            "proposal_form": proposal_form,
            "error_form": error_form,
        },
        status=400 if error_form else 200,
    )


@role_required(Role.ADVISOR)
def portal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One meeting the advisor is invited to; a POST (the "answer" button) is their answer."""
    invitation = get_invitation_for_user(request, pk)
    rsvp_form = RSVPForm.for_invitation(invitation, posted(request))
    if request.method == "POST" and not invitation.advisor.can_take_part:
        rsvp_form.is_valid()
        rsvp_form.add_error(None, LEFT_MESSAGE)
    elif request.method == "POST" and rsvp_form.is_valid():
        # The home page's quick answer sends no "needs": keep what they told us before.
        needs = rsvp_form.cleaned_data["needs"] if "needs" in request.POST else invitation.needs
        try:
            services.rsvp_answer(
                invitation=invitation, rsvp=rsvp_form.cleaned_data["rsvp"], needs=needs
            )
        except ValidationError as exc:
            rsvp_form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _answer_thanks(invitation))
            if request.POST.get("from") == "home":
                return redirect("portal-home")
            return redirect("meetings:portal-detail", pk)
    return _render_detail(
        request, invitation, rsvp_form=rsvp_form, proposal_form=AgendaProposalForm()
    )


def _answer_thanks(invitation: Invitation) -> str:
    """The confirmation after an answer, saying which meeting and what we heard."""
    heard = {
        Invitation.RSVP.YES: "You will come to",
        Invitation.RSVP.NO: "You cannot come to",
        Invitation.RSVP.MAYBE: "You might come to",
    }[invitation.rsvp]
    return (
        f"Thank you, we have your answer. {heard} “{invitation.meeting.title}” on "
        f"{date_words(invitation.meeting.starts_at)}. "
        "You can change your answer on the meeting's page before it starts."
    )


@role_required(Role.ADVISOR)
@require_POST
def agenda_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose an item for the agenda of a meeting one is invited to, before the deadline."""
    invitation = get_invitation_for_user(request, pk)
    form = AgendaProposalForm(request.POST)
    if not invitation.advisor.can_take_part:
        form.is_valid()
        form.add_error(None, LEFT_MESSAGE)
    elif form.is_valid():
        try:
            item = services.agenda_propose(
                meeting=invitation.meeting, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"Thank you. We have your proposal “{item.title}”. "
                "The PIE team will decide about it, and you will see their decision on this page.",
            )
            return redirect("meetings:portal-detail", pk)
    return _render_detail(
        request, invitation, rsvp_form=RSVPForm.for_invitation(invitation), proposal_form=form
    )


# --- Staff and invitees ---------------------------------------------------------------------


@role_required(Role.PIE_TEAM, Role.ADVISOR)
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting as a calendar file, to add to one's own calendar."""
    meeting = get_meeting_for_user(request, pk)
    response = HttpResponse(
        services.meeting_ics(meeting=meeting), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@role_required(Role.PIE_TEAM, Role.ADVISOR)
def paper_download(request: HttpRequest, pk: int) -> FileResponse:
    """A meeting paper, for the PIE team and the meeting's invitees (others 404)."""
    paper = get_object_or_404(MeetingPaper, pk=pk)
    get_meeting_for_user(request, paper.meeting_id)
    try:
        handle = paper.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file for this paper is missing.") from None
    return FileResponse(handle, as_attachment=True, filename=PurePosixPath(paper.file.name).name)
