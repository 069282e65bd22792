from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from ascru_pie.roles import Role

from .models import Invitation, Meeting


def get_meeting_for_user(request: HttpRequest, pk: int) -> Meeting:
    """PIE team: any meeting. Advisors: only meetings they are invited to (else 404)."""
    meeting = get_object_or_404(Meeting.objects.select_related("project"), pk=pk)
    if request.user.has_role(Role.PIE_TEAM):
        return meeting
    if (
        request.user.has_role(Role.ADVISOR)
        and Invitation.objects.filter(meeting=meeting, advisor__user=request.user).exists()
    ):
        return meeting
    raise Http404("No such meeting.")


def get_invitation_for_user(request: HttpRequest, meeting_pk: int) -> Invitation:
    """The signed-in advisor's own invitation to a meeting (404 if not invited)."""
    return get_object_or_404(
        Invitation.objects.select_related("meeting", "advisor"),
        meeting_id=meeting_pk,
        advisor__user=request.user,
    )
