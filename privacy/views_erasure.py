"""Erasure, for the PIE team: what erasing a person would do, a confirm step, and the record
of every erasure and retention run.

Only the PIE team with `privacy.erase_person` (others: 403). POST only changes anything, and
a second POST (a double click) finds the erasure already done and changes nothing. Nothing is
cached: the pages name the person.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from advisors.models import Advisor, Application
from ascru_pie.access import role_required
from ascru_pie.roles import Role

from .erasure import (
    NOT_GOING_AHEAD,
    ErasureBlocked,
    advisor_erase,
    application_erase,
    erasure_consequences,
)
from .forms import ErasureConfirmForm
from .records import ErasureRecord, RetentionRun

no_store = cache_control(private=True, no_store=True)

# How many erasures and retention runs the list shows, newest first.
RECENT = 50


def _check_may_erase(request: HttpRequest) -> None:
    if not request.user.has_perm("privacy.erase_person"):
        raise PermissionDenied("Your account cannot erase people.")


@role_required(Role.PIE_TEAM)
@no_store
def erasure_list(request: HttpRequest) -> HttpResponse:
    """Who was erased and when, what the retention job did, and who could be erased now."""
    erased_advisors = ErasureRecord.objects.filter(advisor__isnull=False).values("advisor")
    erased_applications = ErasureRecord.objects.filter(application__isnull=False).values(
        "application"
    )
    return render(
        request,
        "privacy/erasure_list.html",
        {
            "erasures": ErasureRecord.objects.select_related("by")[:RECENT],
            "runs": RetentionRun.objects.all()[:RECENT],
            "left": Advisor.objects.filter(status=Advisor.Status.LEFT).exclude(
                pk__in=erased_advisors
            ),
            "applications": Application.objects.filter(
                status__in=NOT_GOING_AHEAD, advisor=None
            ).exclude(pk__in=erased_applications),
            "recent": RECENT,
        },
    )


@role_required(Role.PIE_TEAM)
@require_http_methods(["GET", "POST"])
@no_store
def advisor_erase_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """What erasing this advisor does, in words; erase once the box is ticked."""
    _check_may_erase(request)
    advisor = get_object_or_404(Advisor, pk=pk)
    done = ErasureRecord.objects.filter(advisor=advisor).first()
    form = ErasureConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and (done or form.is_valid()):
        return _erase_and_report(request, lambda: advisor_erase(advisor, by=request.user), done)
    return render(
        request,
        "privacy/erasure_confirm.html",
        {
            "person": advisor,
            "kind": "advisor",
            "done": done,
            "form": form,
            "consequences": None if done else erasure_consequences(advisor),
        },
    )


@role_required(Role.PIE_TEAM)
@require_http_methods(["GET", "POST"])
@no_store
def application_erase_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Erase an application that did not go ahead (declined or withdrawn)."""
    _check_may_erase(request)
    application = get_object_or_404(Application, pk=pk)
    done = ErasureRecord.objects.filter(application=application).first()
    form = ErasureConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and (done or form.is_valid()):
        return _erase_and_report(
            request, lambda: application_erase(application, by=request.user), done
        )
    return render(
        request,
        "privacy/erasure_confirm.html",
        {
            "person": application,
            "kind": "applicant",
            "done": done,
            "form": form,
            "blocked": application.advisor_id or application.status not in NOT_GOING_AHEAD,
        },
    )


def _erase_and_report(request: HttpRequest, erase, done: ErasureRecord | None) -> HttpResponse:
    if done:
        messages.info(
            request, f"Already erased: they are {done.pseudonym} since {done.at:%d %B %Y}."
        )
        return redirect("privacy:erasure-list")
    try:
        record = erase()
    except ErasureBlocked as blocked:
        messages.error(request, f"Not erased. {blocked}")
        return redirect(request.path)
    messages.success(
        request,
        f"Erased. Their records now call them {record.pseudonym}; nothing else about them is kept.",
    )
    return redirect("privacy:erasure-list")
