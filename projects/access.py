from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from advisors.models import Advisor
from ascru_pie.roles import Role

from .models import ExpressionOfInterest, Opportunity, Output, Project


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


def get_opportunity_for_user(
    request: HttpRequest, pk: int, *, advisor: Advisor | None = None
) -> tuple[Opportunity, ExpressionOfInterest | None]:
    """The opportunity and, for an advisor, what they said about it.

    The PIE team sees any. An advisor (pass `advisor`) sees open ones, and a closed one only
    if they answered it (to see the outcome); any other is 404.
    """
    opportunity = get_object_or_404(Opportunity.objects.select_related("project"), pk=pk)
    if advisor is None:
        if not request.user.has_role(Role.PIE_TEAM):
            raise Http404("No such opportunity.")
        return opportunity, None
    interest = ExpressionOfInterest.objects.filter(advisor=advisor, opportunity=opportunity).first()
    if not opportunity.is_open and interest is None:
        raise Http404("No such opportunity.")
    return opportunity, interest


def get_output_for_user(request: HttpRequest, pk: int, output_pk: int) -> Output:
    """An output of the project, to change or delete: the project's researchers and the PIE
    team (anyone else 404s, as for the project; an output of another project 404s too)."""
    project = get_project_for_user(request, pk)
    return get_object_or_404(
        Output.objects.select_related("project"), pk=output_pk, project=project
    )
