"""The impact database: what involvement has done for the research.

Researchers record and read their own projects' impacts and GRIPP2 summaries; the PIE team
any project's. Searching and exporting are for the PIE team, researchers and the manager,
each seeing what ImpactRecord.objects.visible_to allows.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone

from advisors.models import Advisor
from ascru_pie.access import role_required
from ascru_pie.lib.paging import page_of
from ascru_pie.roles import Role
from projects.access import get_project_for_user
from projects.models import PIEPlan, PlannedActivity, Project

from .. import services
from ..access import get_impact_for_user
from ..forms import GrippForm, ImpactForm, ImpactSearchForm, ReflectionFilterForm
from ..models import AdvisorReflection, GrippSummary, ImpactRecord, ImpactStage
from ..resources import ImpactResource

RESEARCH = (Role.RESEARCHER, Role.PIE_TEAM)
DATABASE = (Role.PIE_TEAM, Role.RESEARCHER, Role.MANAGER)
PAGE_SIZE = 20


# --- A project's impacts ---------------------------------------------------------------


@role_required(*RESEARCH)
def project_impacts(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's impacts by stage, and how the approved plan's anticipated impacts are doing."""
    project = get_project_for_user(request, pk)
    impacts = list(
        project.impacts.select_related(
            "meeting", "planned_activity", "recorded_by"
        ).prefetch_related(
            Prefetch("contributors", queryset=Advisor.objects.order_by("first_name", "last_name")),
            "standards",
        )
    )
    stages = []
    for value, label in ImpactStage.choices:
        actual = [i for i in impacts if i.stage == value and i.kind == ImpactRecord.Kind.ACTUAL]
        anticipated = [
            i for i in impacts if i.stage == value and i.kind == ImpactRecord.Kind.ANTICIPATED
        ]
        groups = [("Actual", actual), ("Anticipated", anticipated)]
        stages.append(
            {"value": value, "label": label, "groups": [(k, items) for k, items in groups if items]}
        )
    plan = project.plans.filter(status=PIEPlan.Status.APPROVED).first()
    n_actual = sum(1 for i in impacts if i.kind == ImpactRecord.Kind.ACTUAL)
    return render(
        request,
        "impacts/project_impacts.html",
        {
            "project": project,
            "stages": stages,
            "n_actual": n_actual,
            "n_anticipated": len(impacts) - n_actual,
            "plan": plan,
            "anticipated": services.plan_anticipated_status(plan=plan) if plan else [],
        },
    )


@role_required(*RESEARCH)
def impact_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an impact. ?activity=<id> starts from one of the approved plan's activities."""
    project = get_project_for_user(request, pk)
    if request.method == "POST":
        form = ImpactForm(request.POST, request.FILES, project=project)
        if form.is_valid():
            try:
                services.impact_record(
                    project=project,
                    by=request.user,
                    data=form.impact_data(),
                    contributors=form.cleaned_data["contributors"],
                    standards=form.cleaned_data["standards"],
                )
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                messages.success(request, "The impact has been recorded.")
                return redirect("impacts:project", project.pk)
    else:
        initial = _initial_from_activity(project=project, activity_id=request.GET.get("activity"))
        form = ImpactForm(project=project, initial=initial)
    return render(
        request,
        "impacts/impact_form.html",
        {"project": project, "form": form},
        status=400 if form.errors else 200,
    )


def _initial_from_activity(*, project: Project, activity_id: str | None) -> dict:
    """An actual impact of this planned activity, at its stage, if it is one of the approved plan's."""
    if not (activity_id or "").isdigit():
        return {}
    activity = PlannedActivity.objects.filter(
        pk=int(activity_id), plan__project=project, plan__status=PIEPlan.Status.APPROVED
    ).first()
    if activity is None:
        return {}
    return {
        "planned_activity": activity.pk,
        "stage": activity.stage,
        "kind": ImpactRecord.Kind.ACTUAL,
    }


# --- GRIPP2 summary --------------------------------------------------------------------


@role_required(*RESEARCH)
def gripp_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The GRIPP2 short-form summary; until one is saved, a draft from the project's records."""
    project = get_project_for_user(request, pk)
    summary = GrippSummary.objects.filter(project=project).first()
    if request.method == "POST":
        form = GrippForm(request.POST, instance=summary)
        if form.is_valid():
            services.gripp_save(project=project, by=request.user, data=form.cleaned_data)
            messages.success(request, "The GRIPP2 summary has been saved.")
            return redirect("impacts:gripp", project.pk)
        refilled = False
    else:
        # "Refill from the records" shows the draft again; nothing changes until it is saved.
        refilled = summary is None or "refill" in request.GET
        initial = services.gripp_prefill(project=project) if refilled else None
        form = GrippForm(instance=None if refilled else summary, initial=initial)
    return render(
        request,
        "impacts/gripp_form.html",
        {"project": project, "form": form, "summary": summary, "refilled": refilled},
        status=400 if form.errors else 200,
    )


@role_required(*RESEARCH)
def gripp_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The summary as plain text (or Markdown with ?format=md), to paste into a paper."""
    project = get_project_for_user(request, pk)
    markdown = request.GET.get("format") == "md"
    summary = GrippSummary.objects.filter(project=project).first()
    draft = summary is None
    values = (
        services.gripp_prefill(project=project)
        if draft
        else {name: getattr(summary, name) for name in GrippForm.Meta.fields}
    )
    lines = [
        f"{'# ' if markdown else ''}GRIPP2 short form: public involvement in {project.title}",
        "",
    ]
    if draft:
        lines += ["Drafted from the project's records; not yet reviewed by the team.", ""]
    for name in GrippForm.Meta.fields:
        heading = str(GrippSummary._meta.get_field(name).verbose_name)
        if markdown:
            lines += [f"## {heading}", ""]
        else:
            lines += [heading, "-" * len(heading)]
        lines += [values[name].strip() or "Not written yet.", ""]
    extension = "md" if markdown else "txt"
    response = HttpResponse(
        "\n".join(lines), content_type=f"text/{'markdown' if markdown else 'plain'}; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="gripp2-project-{project.pk}.{extension}"'
    )
    return response


# --- The impact database ---------------------------------------------------------------


def _search(request: HttpRequest):
    # Always bound: no filters is a valid search, meaning every impact this person may see.
    form = ImpactSearchForm(request.GET, user=request.user)
    form.is_valid()
    # An invalid filter is shown as an error and left out; the valid ones still apply.
    impacts = services.impact_search(
        user=request.user, q=form.cleaned_data.get("q", ""), filters=form.filters()
    )
    return form, impacts


@role_required(*DATABASE)
def search(request: HttpRequest) -> HttpResponse:
    form, impacts = _search(request)
    # The list shows neither contributors nor standards: skip the service's prefetches (the export uses them).
    page, page_range = page_of(request, impacts.prefetch_related(None), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "impacts/search.html",
        {
            "form": form,
            "page": page,
            "page_range": page_range,
            "searched": any(request.GET.get(name) for name in form.fields),
            "export_query": query.urlencode(),
        },
    )


@role_required(*DATABASE)
def impact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One impact, as the database shows it to this person (a search result opens it)."""
    impact, can_change = get_impact_for_user(request, pk, database=True)
    prefetch_related_objects(
        [impact],
        Prefetch("contributors", queryset=Advisor.objects.order_by("first_name", "last_name")),
        "standards",
    )
    return render(
        request, "impacts/impact_detail.html", {"impact": impact, "can_change": can_change}
    )


@role_required(Role.PIE_TEAM)
def reflections(request: HttpRequest) -> HttpResponse:
    """What advisors wrote about the impacts they contributed to ("you said, we did").

    The PIE team only: advisors are told that the PIE team reads their reflections.
    """
    form = ReflectionFilterForm(request.GET)
    form.is_valid()
    found = form.filtered(
        AdvisorReflection.objects.select_related("advisor", "impact__project").order_by(
            "-updated_at", "-pk"
        )
    )
    page, page_range = page_of(request, found, PAGE_SIZE)
    return render(
        request,
        "impacts/reflections.html",
        {
            "form": form,
            "page": page,
            "page_range": page_range,
            "searched": any(request.GET.get(name) for name in form.fields),
        },
    )


EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


@role_required(*DATABASE)
def export(request: HttpRequest) -> HttpResponse:
    """The search results as a spreadsheet (CSV by default, or ?format=xlsx)."""
    fmt = request.GET.get("format") or "csv"
    if fmt not in EXPORT_FORMATS:
        return HttpResponseBadRequest(
            "Choose format=csv or format=xlsx.", content_type="text/plain; charset=utf-8"
        )
    _, impacts = _search(request)
    dataset = ImpactResource().export(queryset=impacts)
    content_type, extension = EXPORT_FORMATS[fmt]
    # A byte-order mark, so that Excel reads the CSV as UTF-8.
    body = "\ufeff" + dataset.csv if fmt == "csv" else dataset.xlsx
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="impacts-{timezone.localdate():%Y-%m-%d}.{extension}"'
    )
    return response


@role_required(Role.PIE_TEAM)
def follow_up(request: HttpRequest) -> HttpResponse:
    """Projects where involvement happened but no actual impact has been recorded since."""
    return render(
        request,
        "impacts/follow_up.html",
        {
            "rows": services.projects_needing_follow_up(),
            "today": timezone.localdate(),
        },
    )


@role_required(*RESEARCH)
def evidence_download(request: HttpRequest, pk: int, impact_pk: int) -> FileResponse:
    """An impact's evidence file, for the project's researchers and the PIE team (kept privately)."""
    impact, _ = get_impact_for_user(request, impact_pk, project_pk=pk)
    if not impact.evidence_file:
        raise Http404("This impact has no evidence file.")
    return FileResponse(
        impact.evidence_file.open("rb"), as_attachment=True, filename=impact.evidence_filename
    )
