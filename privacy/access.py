"""Who may open a subject access request: the PIE team only. Anyone else gets 404, so
nobody learns that one exists (the ZIP holds bank details and equality answers)."""

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from ascru_pie.roles import Role

from .models import SubjectAccessRequest


def get_subject_access_for_user(request: HttpRequest, pk: int) -> SubjectAccessRequest:
    if not request.user.has_role(Role.PIE_TEAM):
        raise Http404("No such request.")
    return get_object_or_404(
        SubjectAccessRequest.objects.select_related("advisor", "requested_by"), pk=pk
    )
