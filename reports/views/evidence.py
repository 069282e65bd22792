"""The annual report's evidence: the PIE team chooses and edits the examples and writes a short
narrative for each UK Standard; the Unit Manager can read what has been chosen. The annual
report shows only these, never a record picked automatically."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ascru_pie.access import role_required
from ascru_pie.roles import Role
from impacts.models import Standard

from .. import services
from ..figures import CANDIDATES_SHOWN, Period, evidence_candidates, standards_evidence
from ..forms import EvidencePeriodForm, ExampleAddForm, ExampleEditForm, NarrativeForm
from ..models import PeriodKind, ReportExample


def _period(data, today) -> Period:
    form = EvidencePeriodForm(data, today=today)
    year = kind = None
    if form.is_valid():
        year, kind = form.cleaned_data["year"], form.cleaned_data["period"]
    return Period.of(year or today.year, kind or PeriodKind.CALENDAR)


def _back(period: Period, anchor: str = "") -> str:
    url = reverse("reports:evidence")
    return f"{url}?year={period.year}&period={period.kind}" + (f"#{anchor}" if anchor else "")


@role_required(Role.PIE_TEAM, Role.MANAGER)
def evidence(request: HttpRequest) -> HttpResponse:
    """Per standard: the narrative, the chosen examples and (PIE team) the forms to change them."""
    today = timezone.localdate()
    period = _period(request.GET or None, today)
    can_edit = request.user.has_role(Role.PIE_TEAM)
    standards, reflections = standards_evidence(period)
    candidates = evidence_candidates(period) if can_edit else {}
    sections = [
        {
            "s": s,
            "add_form": ExampleAddForm(
                candidates=candidates.get(s.standard.pk, []),
                auto_id=f"add-{s.standard.code}-%s",
            )
            if can_edit
            else None,
            "has_candidates": bool(candidates.get(s.standard.pk)),
            "narrative_form": NarrativeForm(
                initial={"text": s.narrative}, auto_id=f"narrative-{s.standard.code}-%s"
            )
            if can_edit
            else None,
            "reflections": reflections if s.standard.code == "impact" else [],
        }
        for s in standards
    ]
    return render(
        request,
        "reports/evidence.html",
        {
            "period": period,
            "period_form": EvidencePeriodForm(
                initial={"year": period.year, "period": period.kind}, today=today
            ),
            "sections": sections,
            "can_edit": can_edit,
            "candidates_shown": CANDIDATES_SHOWN,
        },
    )


@role_required(Role.PIE_TEAM)
@require_POST
def example_add(request: HttpRequest, standard_pk: int) -> HttpResponse:
    standard = get_object_or_404(Standard, pk=standard_pk)
    period = _period(request.POST, timezone.localdate())
    try:
        example = services.report_example_add(
            period=period,
            standard=standard,
            by=request.user,
            source=request.POST.get("source", ""),
            text=request.POST.get("text", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_back(period, f"standard-{standard.code}"))
    messages.success(request, f"Example added to {standard.name}. Check its wording below.")
    return redirect("reports:evidence-example", pk=example.pk)


@role_required(Role.PIE_TEAM)
def example_edit(request: HttpRequest, pk: int) -> HttpResponse:
    example = get_object_or_404(ReportExample.objects.select_related("standard"), pk=pk)
    period = Period.of(example.year, example.period_kind)
    form = ExampleEditForm(request.POST or None, instance=example)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_example_update(
                example=example,
                by=request.user,
                text=form.cleaned_data["text"],
                order=form.cleaned_data["order"],
            )
        except ValidationError as exc:
            form.add_error("text", " ".join(exc.messages))
        else:
            messages.success(request, f"Example for {example.standard.name} saved.")
            return redirect(_back(period, f"standard-{example.standard.code}"))
    return render(
        request,
        "reports/evidence_example.html",
        {"example": example, "form": form, "period": period, "back": _back(period)},
        status=400 if form.errors else 200,
    )


@role_required(Role.PIE_TEAM)
@require_POST
def example_remove(request: HttpRequest, pk: int) -> HttpResponse:
    example = get_object_or_404(ReportExample.objects.select_related("standard"), pk=pk)
    period, standard = Period.of(example.year, example.period_kind), example.standard
    services.report_example_remove(example=example, by=request.user)
    messages.success(request, f"Example removed from {standard.name}.")
    return redirect(_back(period, f"standard-{standard.code}"))


@role_required(Role.PIE_TEAM)
@require_POST
def narrative_save(request: HttpRequest, standard_pk: int) -> HttpResponse:
    standard = get_object_or_404(Standard, pk=standard_pk)
    period = _period(request.POST, timezone.localdate())
    form = NarrativeForm(request.POST)
    if form.is_valid():
        services.standard_narrative_save(
            period=period, standard=standard, by=request.user, text=form.cleaned_data["text"]
        )
        messages.success(request, f"Narrative for {standard.name} saved.")
    return redirect(_back(period, f"standard-{standard.code}"))
