"""The researcher's home (/research/): what needs doing on their projects.

Their projects with where each plan is up to and what the reviewer asked for, each budget
against what is committed and paid, meetings held lately with no impact recorded since, and
opportunities waiting for the Involvement Coordinator to choose who takes part. The PIE team
sees the same page for every project, their own first, a page at a time.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ascru_pie.access import role_required
from ascru_pie.lib.paging import page_of
from ascru_pie.roles import Role
from impacts.models import ImpactRecord
from meetings.models import Meeting
from payments.selectors import BudgetStatus, project_budgets
from projects.models import (
    Opportunity,
    PIEPlan,
    Project,
    ProjectMembership,
    ReviewComment,
)

PROJECTS_PER_PAGE = 20
# A meeting "held recently" ended within this many days; older ones are on the follow-up page.
RECENT_DAYS = 90
# How many of each "to do" list the home shows; the heading gives the full count.
SHOWN = 10


@dataclass
class ProjectRow:
    project: Project
    mine: bool
    plan: PIEPlan | None
    # The reviewer's comments when they asked for changes to the current version.
    comments: list[ReviewComment]
    budget: BudgetStatus


def _rows(projects: list[Project]) -> list[ProjectRow]:
    budgets = {b.project_id: b for b in project_budgets(projects=projects)}
    rows = []
    for project in projects:
        # Prefetched newest first, superseded versions left out: the first is the current one.
        plan = next(iter(project.plans.all()), None)
        comments = (
            list(plan.comments.all())
            if plan and plan.status == PIEPlan.Status.CHANGES_REQUESTED
            else []
        )
        rows.append(ProjectRow(project, project.is_mine, plan, comments, budgets[project.pk]))
    return rows


def _meetings_without_impact(projects, today: datetime.date):
    """Project meetings held in the last RECENT_DAYS with no actual impact recorded since."""
    later_actual = ImpactRecord.objects.filter(
        project=OuterRef("project"),
        kind=ImpactRecord.Kind.ACTUAL,
        recorded_on__gte=OuterRef("starts_at__date"),
    )
    return (
        Meeting.objects.filter(
            project__in=projects,
            ends_at__lt=timezone.now(),
            ends_at__date__gte=today - datetime.timedelta(days=RECENT_DAYS),
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .filter(~Exists(later_actual))
        .select_related("project")
        .order_by("-starts_at", "pk")
    )


@role_required(Role.RESEARCHER, Role.PIE_TEAM)
def research_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    is_pie_team = user.has_role(Role.PIE_TEAM)
    visible = Project.objects.for_user(user)
    mine = ProjectMembership.objects.filter(project=OuterRef("pk"), user=user)
    projects = (
        visible.annotate(is_mine=Exists(mine))
        .order_by("-is_mine", "title", "pk")
        .prefetch_related(
            Prefetch(
                "plans",
                queryset=PIEPlan.objects.exclude(status=PIEPlan.Status.SUPERSEDED)
                .order_by("-version")
                .prefetch_related(
                    Prefetch("comments", queryset=ReviewComment.objects.select_related("by"))
                ),
            )
        )
    )
    page, page_range = page_of(request, projects, PROJECTS_PER_PAGE)

    follow_up = _meetings_without_impact(visible, today)
    awaiting = Opportunity.objects.filter(project__in=visible).awaiting_selection()
    if is_pie_team:
        # The PIE team chooses for every opportunity, including the unit's own (no project).
        awaiting = Opportunity.objects.awaiting_selection()
    awaiting = awaiting.select_related("project").order_by("closing_date", "pk")

    return render(
        request,
        "homes/research_home.html",
        {
            "is_pie_team": is_pie_team,
            "page": page,
            "page_range": page_range,
            "rows": _rows(list(page.object_list)),
            "follow_up": follow_up[:SHOWN],
            "n_follow_up": follow_up.count(),
            "awaiting": awaiting[:SHOWN],
            "n_awaiting": awaiting.count(),
            "recent_days": RECENT_DAYS,
            "today": today,
        },
    )
