"""Who may open which report request: one rule, used by every report view.

- the PIE team: every one;
- the Unit Manager: the unit's reports (annual and project) and anything they asked for
  themselves, never an advisor's personal documents (statements, certificates, references);
- an advisor: only their own statements and certificates.
Any other is 404, so nobody learns that it exists.
"""

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from ascru_pie.models import User
from ascru_pie.roles import Role

from .models import ReportRequest

Kind = ReportRequest.Kind

# An advisor may ask for these about themselves (services.ADVISOR_KINDS).
ADVISOR_KINDS = [Kind.STATEMENT, Kind.CERTIFICATE]
# Documents about one advisor: the manager does not need them, so never sees them.
PERSONAL_KINDS = [Kind.STATEMENT, Kind.CERTIFICATE, Kind.REFERENCE]


def visible_requests(user: User) -> QuerySet:
    if user.has_role(Role.PIE_TEAM):
        return ReportRequest.objects.all()
    allowed = Q(pk__in=[])
    if user.has_role(Role.MANAGER):
        allowed |= Q(requested_by=user) | ~Q(kind__in=PERSONAL_KINDS)
    if user.has_role(Role.ADVISOR):
        allowed |= Q(advisor__user=user, kind__in=ADVISOR_KINDS)
    return ReportRequest.objects.filter(allowed)


def get_report_for_user(request: HttpRequest, pk: int, *, retry: bool = False) -> ReportRequest:
    """A report request the signed-in person may see (or, with `retry`, ask for again:
    only the person who asked, or the PIE team); 404 for any other."""
    requests = visible_requests(request.user)
    if retry and not request.user.has_role(Role.PIE_TEAM):
        requests = requests.filter(requested_by=request.user)
    return get_object_or_404(requests.select_related("project", "advisor", "requested_by"), pk=pk)


def is_staff_reader(user: User) -> bool:
    return user.has_role(Role.PIE_TEAM, Role.MANAGER)


def can_retry(report: ReportRequest, user: User) -> bool:
    return report.status == ReportRequest.Status.FAILED and (
        user.has_role(Role.PIE_TEAM) or report.requested_by_id == user.pk
    )
