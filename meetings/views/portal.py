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
from ascru_pie.roles import Role

from .. import services
from ..access import get_invitation_for_user, get_meeting_for_user
from ..forms_portal import AgendaProposalForm, RSVPForm
from ..models import AgendaItem, Invitation, Meeting, MeetingPaper

# --- Advisor portal ---------------------------------------------------------------------


@role_required(Role.ADVISOR)
def portal_list(request: HttpRequest) -> HttpResponse:
    """The advisor's own invitations: meetings coming up (soonest first) and past ones."""
    invitations = list(
        Invitation.objects.filter(advisor__user=request.user)
        .select_related("meeting")
        .order_by("meeting__starts_at", "meeting_id")
    )
    now = timezone.now()
    coming_up = [i for i in invitations if i.meeting.ends_at >= now]
    past = [i for i in reversed(invitations) if i.meeting.ends_at < now]
    return render(request, "meetings/portal_list.html", {"coming_up": coming_up, "past": past})


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
            # Answering a meeting that is over, or cancelled, means nothing.
            "can_answer": not is_cancelled and not has_ended,
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
    if request.method == "POST" and rsvp_form.is_valid():
        try:
            services.rsvp_answer(
                invitation=invitation,
                rsvp=rsvp_form.cleaned_data["rsvp"],
                needs=rsvp_form.cleaned_data["needs"],
            )
        except ValidationError as exc:
            rsvp_form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, "Thank you, we have your answer.")
            return redirect("meetings:portal-detail", pk)
    return _render_detail(
        request, invitation, rsvp_form=rsvp_form, proposal_form=AgendaProposalForm()
    )


@role_required(Role.ADVISOR)
@require_POST
def agenda_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose an item for the agenda of a meeting one is invited to, before the deadline."""
    invitation = get_invitation_for_user(request, pk)
    form = AgendaProposalForm(request.POST)
    if form.is_valid():
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
