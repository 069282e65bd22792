from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from ascru_pie.roles import Role

from .models import Project


def get_project_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> Project:
    """The project, if this person may see it: PIE team any, researchers only their own (else 404).

    With write=True only the project's own researchers pass; the PIE team reads but gets 403.
    """
    project = get_object_or_404(Project, pk=pk)
    user = request.user
    member = project.is_member(user)
    if not member and not user.has_role(Role.PIE_TEAM):
        raise Http404("No such project.")
    if write and not member:
        raise PermissionDenied("Only the project's researchers can change this.")
    return project
