"""Researcher pages: projects and their PIE plans."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ascru_pie.access import role_required
from ascru_pie.lib.forms import posted
from ascru_pie.lib.paging import page_of
from ascru_pie.roles import Role

from .. import services
from ..access import get_project_for_user
from ..budget import Budget, plan_budget
from ..forms import ActivityForm, ActivityFormSet, PlanTextForm, ReviewForm
from ..models import (
    ExpressionOfInterest,
    PIEPlan,
    PlannedActivity,
    Project,
    ProjectMembership,
    ReviewComment,
    Stage,
)

RESEARCH = (Role.RESEARCHER, Role.PIE_TEAM)
PROJECTS_PER_PAGE = 25
# How many advisors and opportunities the project page lists; it says how many there are.
SHOWN_ON_PROJECT = 20


@role_required(*RESEARCH)
def project_list(request: HttpRequest) -> HttpResponse:
    """Every project a person may see, a page at a time (the PIE team sees all of them)."""
    projects = (
        Project.objects.for_user(request.user)
        .order_by("title", "pk")
        .prefetch_related(
            Prefetch(
                "plans",
                queryset=PIEPlan.objects.exclude(status=PIEPlan.Status.SUPERSEDED).order_by(
                    "-version"
                ),
            ),
            Prefetch("memberships", queryset=ProjectMembership.objects.select_related("user")),
        )
    )
    page, page_range = page_of(request, projects, PROJECTS_PER_PAGE)
    return render(
        request,
        "projects/project_list.html",
        {"projects": page.object_list, "page": page, "page_range": page_range},
    )


@role_required(*RESEARCH)
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The project at a glance: the team, the plan's versions, and the first few advisors,
    opportunities and outputs with how many there are (each full list is a link away)."""
    project = get_project_for_user(request, pk)
    memberships = list(project.memberships.select_related("user"))
    opportunities = project.opportunities.annotate(
        n_interested=Count(
            "interests", filter=~Q(interests__status=ExpressionOfInterest.Status.WITHDRAWN)
        )
    ).order_by("-closing_date", "-pk")
    assignments = project.advisor_assignments.select_related("advisor").order_by(
        "advisor__last_name", "advisor__first_name", "pk"
    )
    context = {
        "project": project,
        "is_member": any(m.user_id == request.user.pk for m in memberships),
        "memberships": memberships,
        "plans": project.plans.order_by("-version"),
        "opportunities": opportunities[:SHOWN_ON_PROJECT],
        "n_opportunities": project.opportunities.count(),
        "n_outputs": project.outputs.count(),
        "assignments": assignments[:SHOWN_ON_PROJECT],
        "n_assignments": project.advisor_assignments.count(),
        "shown": SHOWN_ON_PROJECT,
    }
    return render(request, "projects/project_detail.html", context)


def _current_plan(project: Project) -> PIEPlan | None:
    """The version people work on: the open one if any, else the approved one."""
    return (
        project.plans.filter(status__in=PIEPlan.OPEN).first()
        or project.plans.filter(status=PIEPlan.Status.APPROVED).first()
    )


def _plan_context(request: HttpRequest, project: Project, plan: PIEPlan) -> dict:
    # Approved and superseded versions show the budget stored at approval; others re-price.
    budget = services.plan_budget_for(plan)
    by_stage = [
        (value, label, [a for a in budget.lines if a.activity.stage == value])
        for value, label in Stage.choices
    ]
    comments = list(plan.comments.select_related("by"))
    return {
        "project": project,
        "plan": plan,
        "budget": budget,
        "by_stage": by_stage,
        "comments": comments,
        "comment_sections": dict(ReviewComment.SECTIONS),
        "events": plan.events.select_related("by"),
        "is_member": project.is_member(request.user),
        "is_pie_team": request.user.has_role(Role.PIE_TEAM),
        "versions": project.plans.order_by("-version"),
    }


@role_required(*RESEARCH)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request, pk)
    plan = _current_plan(project)
    if plan is None:
        return render(
            request,
            "projects/plan_none.html",
            {"project": project, "is_member": project.is_member(request.user)},
        )
    return render(request, "projects/plan_detail.html", _plan_context(request, project, plan))


@role_required(*RESEARCH)
def plan_version(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    project = get_project_for_user(request, pk)
    plan = get_object_or_404(PIEPlan, project=project, version=version)
    context = _plan_context(request, project, plan)
    previous = (
        plan.based_on or project.plans.filter(version__lt=version).order_by("-version").first()
    )
    context["previous"] = previous
    context["changes"] = services.plan_diff(old=previous, new=plan) if previous else None
    context["is_old_version"] = True
    return render(request, "projects/plan_detail.html", context)


@require_POST
@role_required(Role.RESEARCHER, Role.PIE_TEAM)
def plan_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the first plan, or a new version of the approved one."""
    project = get_project_for_user(request, pk, write=True)
    approved = project.plans.filter(status=PIEPlan.Status.APPROVED).first()
    try:
        if approved:
            plan = services.plan_new_version(plan=approved, by=request.user)
            messages.success(
                request,
                f"Version {plan.version} started as a copy of the approved plan. The approved plan stays in force until this one is approved.",
            )
        else:
            services.plan_start(project=project, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("projects:plan", pk)
    return redirect("projects:plan-edit", pk)


def _formsets(data, plan: PIEPlan | None) -> dict[str, ActivityFormSet]:
    initial: dict[str, list] = {value: [] for value, _ in Stage.choices}
    if plan is not None and data is None:
        for a in plan.activities.all():
            initial[a.stage].append(
                {"key": a.key, **{f: getattr(a, f) for f in ActivityForm.Meta.fields}}
            )
    return {
        value: ActivityFormSet(data, prefix=value, initial=initial[value] or None)
        for value, _ in Stage.choices
    }


def _is_activity(formset: ActivityFormSet, i: int, form: ActivityForm) -> bool:
    """Is this (validated) form an activity? Every saved one not ticked for removal, changed
    or not, and each new one that was filled in."""
    return (i < formset.initial_form_count() or form.has_changed()) and not form.cleaned_data.get(
        "DELETE"
    )


def _activities_from(formsets: dict[str, ActivityFormSet]) -> list[dict]:
    activities = []
    for stage, formset in formsets.items():
        for i, form in enumerate(formset.forms):
            if not _is_activity(formset, i, form):
                continue
            data = {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
            activities.append({"stage": stage, **data})
    return activities


@role_required(Role.RESEARCHER, Role.PIE_TEAM)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request, pk, write=True)
    plan = project.plans.filter(status__in=PIEPlan.EDITABLE).first()
    if plan is None:
        messages.info(request, "There is no plan to edit at the moment.")
        return redirect("projects:plan", pk)
    data = posted(request)
    text_form = PlanTextForm(data, instance=plan)
    formsets = _formsets(data, plan)
    if request.method == "POST":
        if text_form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
            try:
                services.plan_update(
                    plan=plan,
                    by=request.user,
                    recognition=text_form.cleaned_data["recognition"],
                    support_and_training=text_form.cleaned_data["support_and_training"],
                    activities=_activities_from(formsets),
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                if "submit" in request.POST:
                    return plan_submit(request, pk)
                messages.success(request, "Your plan has been saved.")
                return redirect("projects:plan-edit", pk)
        else:
            messages.error(
                request, "Your plan has not been saved. Please check the messages below."
            )
    budget = (
        _budget_from_formsets(formsets)
        if data
        else plan_budget(plan.activities.all(), today=timezone.localdate())
    )
    return render(
        request,
        "projects/plan_edit.html",
        {
            "project": project,
            "plan": plan,
            "text_form": text_form,
            "stages": [(value, label, formsets[value]) for value, label in Stage.choices],
            "budget": budget,
            "comments": plan.comments.all()
            if plan.status == PIEPlan.Status.CHANGES_REQUESTED
            else [],
            "comment_sections": dict(ReviewComment.SECTIONS),
        },
        status=400 if request.method == "POST" else 200,
    )


def _budget_from_formsets(formsets: dict[str, ActivityFormSet]) -> Budget:
    """A budget from unsaved input: only the activities whose fields are valid so far."""
    activities = []
    for stage, formset in formsets.items():
        for i, form in enumerate(formset.forms):
            if form.is_valid() and _is_activity(formset, i, form):
                data = {k: v for k, v in form.cleaned_data.items() if k not in ("DELETE", "key")}
                activities.append(PlannedActivity(stage=stage, **data))
    return plan_budget(activities, today=timezone.localdate())


@require_POST
@role_required(Role.RESEARCHER, Role.PIE_TEAM)
def plan_budget_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The live budget while editing (htmx): computed from the unsaved form, never stored."""
    project = get_project_for_user(request, pk, write=True)
    budget = _budget_from_formsets(_formsets(request.POST, None))
    return render(
        request, "projects/_budget.html", {"budget": budget, "project": project, "live": True}
    )


@require_POST
@role_required(Role.RESEARCHER, Role.PIE_TEAM)
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request, pk, write=True)
    plan = project.plans.filter(status__in=PIEPlan.OPEN).first()
    if plan is None:
        raise Http404("No plan to submit.")
    try:
        plan = services.plan_submit(plan=plan, by=request.user)
    except ValidationError as exc:
        messages.error(request, "Your plan was saved but not submitted: " + " ".join(exc.messages))
        return redirect("projects:plan-edit", pk)
    messages.success(
        request, "Your plan has been sent to the PIE team for review. We have emailed them."
    )
    return redirect("projects:plan", pk)


@role_required(Role.PIE_TEAM)
def plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The PIE team approves a submitted plan, or asks for changes with comments per section.

    Whatever happens, the comments typed are never lost: on a refusal the page comes back
    with them filled in.
    """
    project = get_project_for_user(request, pk)
    plan = project.plans.filter(status__in=PIEPlan.IN_REVIEW).first()
    form = ReviewForm(posted(request))
    if plan is None:
        if request.method != "POST":
            messages.info(request, "There is no plan waiting for review on this project.")
            return redirect("projects:plan", pk)
        # Decided by someone else while this page was open: show what was typed, unsent.
        plan = _current_plan(project)
        if plan is None:
            raise Http404("No plan on this project.")
        form.is_valid()
        form.add_error(
            None,
            f"This plan is no longer waiting for review (it is now {plan.get_status_display().lower()}), "
            "so nothing was sent. Your comments are still below if you need them.",
        )
        context = _plan_context(request, project, plan)
        context.update(form=form, can_decide=False)
        return render(request, "projects/plan_review.html", context, status=409)
    if request.method == "POST" and form.is_valid():
        try:
            if "approve" in request.POST:
                services.plan_approve(
                    plan=plan,
                    by=request.user,
                    comments=form.comments(),
                    expected_total=form.cleaned_data["budget_total"],
                )
                messages.success(
                    request,
                    f"Plan version {plan.version} approved. The project's PIE budget is now set from it.",
                )
            else:
                services.plan_request_changes(plan=plan, by=request.user, comments=form.comments())
                messages.success(request, "Your comments have been sent to the researchers.")
            return redirect("projects:plan", pk)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
    context = _plan_context(request, project, plan)
    context.update(form=form, can_decide=True)
    return render(request, "projects/plan_review.html", context, status=400 if form.errors else 200)
