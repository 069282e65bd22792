"""Who may open which impact record: one helper, used by every view that loads one.

Strangers get 404, so nobody learns an impact exists. The second value says whether the
person may change the record. A project's impacts (and its GRIPP2 summary) are reached
through the project on the research pages, so `projects.access.get_project_for_user` guards
those; this helper is for pages about one impact.
"""

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from advisors.models import Advisor
from ascru_pie.roles import Role

from .models import ImpactRecord


def get_impact_for_user(
    request: HttpRequest,
    pk: int,
    *,
    project_pk: int | None = None,
    advisor: Advisor | None = None,
    database: bool = False,
) -> tuple[ImpactRecord, bool]:
    """The impact record, and whether this person may change it.

    In the advisor portal (`advisor` given): only an impact that advisor contributed to, to
    read and reflect on, never to change. On the research pages: the PIE team any impact and
    a project's own researchers their project's, and both may change it. `project_pk`, from
    a URL under a project, makes an impact of another project 404 too. In the impact database
    (`database=True`): also anyone the database shows it to (ImpactRecord.objects.visible_to:
    the manager any, researchers those of projects that are not confidential), to read.
    """
    impacts = ImpactRecord.objects.select_related("project")
    if project_pk is not None:
        impacts = impacts.filter(project_id=project_pk)
    if advisor is not None:
        return get_object_or_404(impacts.filter(contributors=advisor), pk=pk), False
    if database:
        impacts = impacts.visible_to(request.user)
    impact = get_object_or_404(impacts, pk=pk)
    if request.user.has_role(Role.PIE_TEAM) or impact.project.is_member(request.user):
        return impact, True
    if database:
        return impact, False
    raise Http404("No such impact.")
