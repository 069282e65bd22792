"""Impacts and feedback surveys in the advisor portal, and the feedback results for staff.

Advisors see only the impacts they contributed to (others are 404) and add their own
reflection; they answer open surveys once, by name or anonymously. The PIE team and the
manager see survey results in aggregate, with small counts hidden; only the PIE team reads
the free-text answers, and never with a name.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from advisors.access import get_advisor_for_user
from ascru_pie.access import role_required
from ascru_pie.lib.forms import posted
from ascru_pie.lib.paging import page_of
from ascru_pie.roles import Role
from ascru_pie.templatetags.words import date_words

from .. import services
from ..access import get_impact_for_user
from ..forms_portal import ReflectionForm, SurveyAnswerForm
from ..models import AdvisorReflection, ImpactRecord, Survey, SurveyReceipt, SurveyResponse

# Impacts on each page of "you said, we did".
PORTAL_PAGE_SIZE = 10
ALREADY_ANSWERED = "You have already answered this survey. Thank you!"

Scale = SurveyResponse.Scale
Again = SurveyResponse.Again
SCALE_QUESTIONS = ("felt_valued", "had_support", "paid_on_time")


# --- You said, we did -------------------------------------------------------------------------


@role_required(Role.ADVISOR)
def you_said_we_did(request: HttpRequest) -> HttpResponse:
    """The impacts the advisor contributed to, newest first, each with their own reflection."""
    advisor = get_advisor_for_user(request)
    # A page at a time: an advisor of many years can have hundreds.
    page, page_range = page_of(
        request,
        ImpactRecord.objects.filter(contributors=advisor)
        .select_related("project", "meeting")
        .prefetch_related(
            Prefetch(
                "reflections",
                queryset=AdvisorReflection.objects.filter(advisor=advisor),
                to_attr="own_reflections",
            )
        )
        .order_by("-recorded_on", "-pk"),
        PORTAL_PAGE_SIZE,
    )
    impacts = list(page.object_list)
    for impact in impacts:
        impact.reflection = impact.own_reflections[0] if impact.own_reflections else None
    return render(
        request,
        "impacts/portal_impacts.html",
        {"impacts": impacts, "page": page, "page_range": page_range},
    )


@role_required(Role.ADVISOR)
def reflection(request: HttpRequest, pk: int) -> HttpResponse:
    """Add or change the advisor's reflection on an impact they contributed to."""
    advisor = get_advisor_for_user(request)
    impact, _ = get_impact_for_user(request, pk, advisor=advisor)
    existing = AdvisorReflection.objects.filter(impact=impact, advisor=advisor).first()
    if request.method == "POST":
        form = ReflectionForm(request.POST)
        if form.is_valid():
            try:
                services.reflection_set(
                    impact=impact, advisor=advisor, text=form.cleaned_data["text"]
                )
            except ValidationError as exc:
                form.add_error("text", " ".join(exc.messages))
            else:
                messages.success(request, "Thank you. We have saved your reflection.")
                return redirect("impacts:portal")
    else:
        form = ReflectionForm(initial={"text": existing.text if existing else ""})
    return render(
        request,
        "impacts/portal_reflection.html",
        {"impact": impact, "existing": existing, "form": form},
        status=400 if form.errors else 200,
    )


# --- Surveys for advisors ---------------------------------------------------------------------


@role_required(Role.ADVISOR)
def survey_list(request: HttpRequest) -> HttpResponse:
    """Surveys open today, closing soonest first, and whether the advisor has answered each."""
    advisor = get_advisor_for_user(request)
    today = timezone.localdate()
    surveys = list(
        Survey.objects.filter(opens_on__lte=today, closes_on__gte=today)
        .annotate(
            answered=Exists(SurveyReceipt.objects.filter(survey=OuterRef("pk"), advisor=advisor))
        )
        .select_related("meeting")
        .order_by("closes_on", "pk")
    )
    return render(request, "impacts/portal_surveys.html", {"surveys": surveys})


@role_required(Role.ADVISOR)
def survey_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """One survey: the questions, or why it cannot be answered (closed, or answered already)."""
    advisor = get_advisor_for_user(request)
    survey = get_object_or_404(Survey.objects.select_related("meeting"), pk=pk)
    today = timezone.localdate()
    if today < survey.opens_on:
        refusal = f"This survey is not open yet. It opens on {date_words(survey.opens_on)}."
    elif today > survey.closes_on:
        refusal = (
            f"This survey closed on {date_words(survey.closes_on)}, so you cannot answer it "
            "any more. Thank you for your interest."
        )
    elif SurveyReceipt.objects.filter(survey=survey, advisor=advisor).exists():
        refusal = ALREADY_ANSWERED
    else:
        refusal = ""

    form = None
    if not refusal:
        form = SurveyAnswerForm(posted(request))
        if request.method == "POST" and form.is_valid():
            anonymous = form.cleaned_data["anonymous"]
            try:
                services.survey_respond(
                    survey=survey, advisor=advisor, answers=form.answers(), anonymous=anonymous
                )
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    "Thank you for your answers. We have saved them without your name."
                    if anonymous
                    else "Thank you for your answers. We have saved them.",
                )
                return redirect("impacts:portal-surveys")
    # A refused or invalid answer is a client error; the page still explains it in words.
    failed = request.method == "POST" and (refusal or form.errors)
    return render(
        request,
        "impacts/portal_survey.html",
        {"survey": survey, "form": form, "refusal": refusal},
        status=400 if failed else 200,
    )


# --- Feedback results for the PIE team and the manager ---------------------------------------


def _answer_counts() -> dict:
    """Annotations counting each answer to each question, and the averages of the scales."""
    counts = {"n": Count("pk")}
    for field in SCALE_QUESTIONS:
        counts[f"{field}_avg"] = Avg(field)
        counts[f"{field}_n"] = Count(field)
        for value in Scale.values:
            counts[f"{field}_{value}"] = Count("pk", filter=Q(**{field: value}))
    counts["paid_on_time_none"] = Count("pk", filter=Q(paid_on_time__isnull=True))
    for value in Again.values:
        counts[f"take_part_again_{value}"] = Count("pk", filter=Q(take_part_again=value))
    return counts


def _shown(n: int, threshold: int) -> int | str:
    return n if n >= threshold else f"fewer than {threshold}"


def _out_of_five(average: float | None) -> str:
    return f"{Decimal(str(average)).quantize(Decimal('0.1'), ROUND_HALF_UP)} out of 5"


def _summary(row: dict, threshold: int) -> dict:
    """One survey's (or all surveys') results as table rows, with every count below
    `threshold` hidden.

    An average or a share of fewer than `threshold` answers is hidden too: with one or two
    answers it would give away what those people said, and the PIE team can see who answered.
    """
    labels = {f.name: f.verbose_name for f in SurveyResponse._meta.fields}
    scale_rows = [
        {
            "label": label,
            "cells": [_shown(row[f"{field}_{value}"], threshold) for field in SCALE_QUESTIONS],
        }
        for value, label in Scale.choices
    ]
    # Only "paid on time" may be left out (by people who were not paid).
    not_paid = _shown(row["paid_on_time_none"], threshold)
    scale_rows.append({"label": "Does not apply (not paid)", "cells": [None, None, not_paid]})
    averages = [
        _out_of_five(row[f"{field}_avg"]) if row[f"{field}_n"] >= threshold else ""
        for field in SCALE_QUESTIONS
    ]
    n = row["n"]
    share = ""
    if n >= threshold:
        percent = (Decimal(row[f"take_part_again_{Again.YES}"] * 100) / n).quantize(
            Decimal(1), ROUND_HALF_UP
        )
        share = f"{percent}% said yes"
    return {
        "n": n,
        "scale_columns": [labels[field] for field in SCALE_QUESTIONS],
        "scale_rows": scale_rows,
        "averages": averages,
        "again_label": labels["take_part_again"],
        "again_rows": [
            {"label": label, "count": _shown(row[f"take_part_again_{value}"], threshold)}
            for value, label in Again.choices
        ],
        "again_share": share,
    }


@role_required(Role.PIE_TEAM, Role.MANAGER)
def feedback_results(request: HttpRequest) -> HttpResponse:
    """Advisor feedback, overall and per survey. Free text for the PIE team only, never named."""
    threshold = settings.EQUALITY_SUPPRESS_BELOW
    surveys = list(Survey.objects.select_related("meeting").order_by("-opens_on", "-pk"))
    per_survey = {
        row["survey"]: row
        for row in SurveyResponse.objects.values("survey").annotate(**_answer_counts()).order_by()
    }
    empty = dict.fromkeys(_answer_counts(), 0) | {f"{f}_avg": None for f in SCALE_QUESTIONS}

    # Overall: the averages and totals from the service; each answer's count summed over surveys.
    overall = services.survey_results()
    overall_row = {
        key: sum(row[key] for row in per_survey.values())
        for key in empty
        if not key.endswith("_avg")
    }
    overall_row |= {"n": overall["n"]} | {f"{f}_avg": overall[f] for f in SCALE_QUESTIONS}

    show_text = request.user.has_role(Role.PIE_TEAM)
    texts: dict[int, dict[str, list[str]]] = {}
    if show_text:
        # Only the survey and the two texts are read, never who wrote them; sorted by the
        # text itself so that the order cannot be matched to the order people answered in.
        rows = SurveyResponse.objects.filter(~Q(works_well="") | ~Q(does_not_work="")).values_list(
            "survey_id", "works_well", "does_not_work"
        )
        for survey_id, works_well, does_not_work in rows:
            lists = texts.setdefault(survey_id, {"works_well": [], "does_not_work": []})
            if works_well.strip():
                lists["works_well"].append(works_well.strip())
            if does_not_work.strip():
                lists["does_not_work"].append(does_not_work.strip())
        for lists in texts.values():
            lists["works_well"].sort(key=str.casefold)
            lists["does_not_work"].sort(key=str.casefold)

    sections = [
        {
            "id": "overall",
            "title": "All surveys together",
            "survey": None,
            "n_surveys": len(surveys),
            "summary": _summary(overall_row, threshold),
            "texts": None,
        }
    ]
    for survey in surveys:
        row = per_survey.get(survey.pk, empty)
        # Written answers of fewer than `threshold` people are not shown at all: with two
        # answers and the list of who answered, each text could be put to a name.
        too_few = row["n"] < threshold
        sections.append(
            {
                "id": f"survey-{survey.pk}",
                "title": survey.title,
                "survey": survey,
                "summary": _summary(row, threshold),
                "texts": (
                    texts.get(survey.pk, {"works_well": [], "does_not_work": []})
                    if show_text and not too_few
                    else None
                ),
                "texts_hidden": show_text and too_few,
            }
        )
    return render(
        request,
        "impacts/feedback_results.html",
        {"sections": sections, "show_text": show_text, "threshold": threshold},
    )
