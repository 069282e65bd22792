"""The advisor's home (/portal/): what is coming up, what is waiting for them, where their
payments are up to, and the library of resources the PIE team shares.

Everything on the home is the signed-in advisor's own, and each block is one query, so the
page costs the same however much the unit holds (tests/homes/test_portal_home.py).
"""

from datetime import timedelta
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Window
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from advisors.access import get_advisor_for_user
from advisors.models import Advisor
from ascru_pie.access import role_required
from ascru_pie.roles import Role
from impacts.models import ImpactRecord, Survey, SurveyReceipt
from meetings.models import Attendance, Invitation, Meeting
from payments.models import Claim
from projects.models import Opportunity

from .models import Resource

# How many of each thing the home shows; the full lists are one link away.
NEXT_MEETINGS = 5
RECENT_CLAIMS = 5
FEW = 3
# How long after a meeting we remind people they can still claim their expenses for it.
CLAIM_PROMPT_DAYS = 60
LEFT_MESSAGE = (
    "The library is for advisors on the register. Please contact the Involvement Coordinator."
)


@role_required(Role.ADVISOR)
def portal_home(request: HttpRequest) -> HttpResponse:
    advisor = get_advisor_for_user(request)
    now = timezone.now()
    today = timezone.localdate()
    taking_part = advisor.can_take_part

    next_invitations = list(
        Invitation.objects.filter(advisor=advisor, meeting__ends_at__gte=now)
        .select_related("meeting")
        .order_by("meeting__starts_at", "meeting_id")[:NEXT_MEETINGS]
    )
    live = [i for i in next_invitations if i.meeting.status != Meeting.Status.CANCELLED]
    # Paused advisors still answer meetings they were already invited to; Left ones cannot.
    to_answer = [i for i in live if i.rsvp == Invitation.RSVP.PENDING] if taking_part else []
    agenda_open = [i for i in live if i.meeting.agenda_open] if taking_part else []

    # Meetings they came to lately with no expense claim yet: travel and other costs.
    claimable = list(
        Attendance.objects.filter(
            advisor=advisor,
            status__in=[Attendance.Status.ATTENDED, Attendance.Status.PARTLY],
            meeting__ends_at__lt=now,
            meeting__ends_at__gte=now - timedelta(days=CLAIM_PROMPT_DAYS),
        )
        .exclude(
            Exists(
                Claim.objects.filter(
                    advisor=advisor, kind=Claim.Kind.EXPENSE, meeting=OuterRef("meeting_id")
                )
            )
        )
        .select_related("meeting")
        .order_by("-meeting__starts_at", "pk")[:FEW]
    )
    surveys = list(
        Survey.objects.filter(opens_on__lte=today, closes_on__gte=today)
        .exclude(Exists(SurveyReceipt.objects.filter(survey=OuterRef("pk"), advisor=advisor)))
        .order_by("closes_on", "pk")[:FEW]
    )
    claims = list(
        Claim.objects.filter(advisor=advisor).order_by("-activity_date", "-pk")[:RECENT_CLAIMS]
    )
    # The count rides along on each row: one query for "3 open, here are the first few".
    opportunities = (
        list(
            Opportunity.objects.open()
            .annotate(open_count=Window(Count("pk")))
            .order_by("closing_date", "pk")[:FEW]
        )
        if taking_part
        else []
    )
    highlight = (
        ImpactRecord.objects.filter(contributors=advisor)
        .select_related("project")
        .order_by("-recorded_on", "-pk")
        .first()
    )
    resources = list(Resource.objects.shown()[: FEW + 1]) if taking_part else []
    return render(
        request,
        "homes/portal_home.html",
        {
            "advisor": advisor,
            "taking_part": taking_part,
            "paused": advisor.status == Advisor.Status.PAUSED,
            "next_invitations": next_invitations,
            "to_answer": to_answer,
            "agenda_open": agenda_open,
            "claimable": claimable,
            "surveys": surveys,
            "waiting": bool(to_answer or agenda_open or claimable or surveys),
            "claims": claims,
            "opportunities": opportunities,
            "open_count": opportunities[0].open_count if opportunities else 0,
            "highlight": highlight,
            "resources": resources,
        },
    )


# --- the library of resources ---------------------------------------------------------------


def _may_use_library(request: HttpRequest) -> bool:
    """The PIE team (who manage it) and advisors still on the register; Left advisors not."""
    if request.user.has_role(Role.PIE_TEAM):
        return True
    return Advisor.objects.taking_part().filter(user=request.user).exists()


@role_required(Role.ADVISOR)
def resource_list(request: HttpRequest) -> HttpResponse:
    """Guides, training material and how payments work, in sections."""
    advisor = get_advisor_for_user(request)
    if not advisor.can_take_part:
        raise PermissionDenied(LEFT_MESSAGE)
    resources = list(Resource.objects.shown())
    sections = [
        (label, [r for r in resources if r.kind == value]) for value, label in Resource.Kind.choices
    ]
    return render(
        request,
        "homes/resources.html",
        {"sections": [(label, items) for label, items in sections if items]},
    )


@role_required(Role.ADVISOR, Role.PIE_TEAM)
def resource_download(request: HttpRequest, pk: int) -> FileResponse:
    """A library file, never by its own URL: advisors see only what is shown to them."""
    if not _may_use_library(request):
        raise PermissionDenied(LEFT_MESSAGE)
    resources = Resource.objects.exclude(file="")
    if not request.user.has_role(Role.PIE_TEAM):
        resources = resources.filter(shown_to_advisors=True)
    resource = get_object_or_404(resources, pk=pk)
    try:
        handle = resource.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file for this resource is missing.") from None
    return FileResponse(handle, as_attachment=True, filename=PurePosixPath(resource.file.name).name)
