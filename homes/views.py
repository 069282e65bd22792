"""Each role's home page: what is waiting for them, gathered from every app."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ascru_pie.access import role_required
from ascru_pie.roles import Role

from .queue import work_queue
from .system import system_status


@role_required(Role.PIE_TEAM, Role.FINANCE)
def staff_home(request: HttpRequest) -> HttpResponse:
    """What is waiting for this person (homes.queue), and where to go for everything else."""
    user = request.user
    # Roles, not permissions, choose the links: the role names are already read for access.
    return render(
        request,
        "homes/staff_home.html",
        {
            "queue": work_queue(user=user),
            "pie_team": user.has_role(Role.PIE_TEAM),
            "finance": user.has_role(Role.FINANCE),
        },
    )


def system(request: HttpRequest) -> HttpResponse:
    """Whether the background work is running, for superusers (everyone else: 403)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_superuser:
        raise PermissionDenied("Only the system's administrators can open this page.")
    return render(request, "homes/system.html", {"status": system_status()})
