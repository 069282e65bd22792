"""Each role's home page: what is waiting for them, gathered from every app."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ascru_pie.access import role_required
from ascru_pie.models import WorkerHeartbeat
from ascru_pie.roles import Role
from projects.models import PIEPlan


@role_required(Role.PIE_TEAM, Role.FINANCE)
def staff_home(request: HttpRequest) -> HttpResponse:
    heartbeat = WorkerHeartbeat.objects.order_by("-created_at").first()
    plans_to_review = (
        PIEPlan.objects.filter(status__in=PIEPlan.IN_REVIEW)
        .select_related("project")
        .order_by("submitted_at")
    )
    return render(
        request,
        "homes/staff_home.html",
        {"heartbeat": heartbeat, "plans_to_review": plans_to_review},
    )


@role_required(Role.ADVISOR)
def portal_home(request: HttpRequest) -> HttpResponse:
    return render(request, "homes/portal_home.html")
