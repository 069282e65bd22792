"""Subject access, for the PIE team: ask for a copy of everything held about an advisor, watch
it being made (the list polls with htmx), download the ZIP (recorded), try again on failure.

Every page is the PIE team's (others: 403); a request's download and retry are 404 to anyone
else, so nobody learns one exists. Nothing here is cached: the pages name the person and the
ZIP holds their bank details.
"""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from advisors.models import Advisor
from ascru_pie.access import role_required
from ascru_pie.roles import Role

from . import services
from .access import get_subject_access_for_user
from .models import SubjectAccessRequest

Status = SubjectAccessRequest.Status
IN_PROGRESS = (Status.QUEUED, Status.BUILDING)

# How many requests the lists show, newest first.
RECENT_REQUESTS = 20

no_store = cache_control(private=True, no_store=True)


def _list_context(requests: QuerySet, *, poll_url: str) -> dict:
    rows = list(requests.select_related("advisor", "requested_by")[:RECENT_REQUESTS])
    # A fingerprint of what the list shows (progress in steps of ten): a poll that finds it
    # unchanged gets 204, which htmx does not swap, so screen readers are not read the
    # list (an aria-live region) again and again.
    state = hashlib.md5(
        ",".join(f"{r.pk}:{r.status}:{r.progress // 10}" for r in rows).encode(),
        usedforsecurity=False,
    ).hexdigest()[:16]
    polling = any(r.status in IN_PROGRESS for r in rows)
    return {
        "rows": rows,
        "state": state,
        "poll_url": f"{poll_url}?partial=1&seen={state}" if polling else "",
        "recent": RECENT_REQUESTS,
    }


def _list_or_partial(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    if request.GET.get("partial"):
        if request.GET.get("seen") == context["state"]:
            return HttpResponse(status=204)
        return render(request, "privacy/sar_request_list.html", context)
    return render(request, template, context)


@role_required(Role.PIE_TEAM)
@no_store
def subject_access_list(request: HttpRequest) -> HttpResponse:
    """Every subject access request, newest first."""
    context = _list_context(
        SubjectAccessRequest.objects.all(), poll_url=reverse("privacy:sar-list")
    )
    return _list_or_partial(request, "privacy/sar_list.html", context)


@role_required(Role.PIE_TEAM)
@no_store
def advisor_subject_access(request: HttpRequest, pk: int) -> HttpResponse:
    """One advisor: ask for a copy of everything held about them; their requests so far."""
    advisor = get_object_or_404(Advisor, pk=pk)
    if request.method == "POST":
        sar = services.subject_access_request(advisor=advisor, by=request.user)
        if sar.requested_by_id == request.user.pk and sar.status == Status.QUEUED:
            messages.success(
                request,
                f"We are making a copy of everything we hold about {advisor.full_name}. "
                "The list below shows where it is up to.",
            )
        else:
            messages.info(request, "A copy is already being made: the list below shows it.")
        return redirect("privacy:sar-advisor", pk=advisor.pk)
    url = reverse("privacy:sar-advisor", args=[advisor.pk])
    context = _list_context(advisor.subject_access_requests.all(), poll_url=url)
    return _list_or_partial(
        request,
        "privacy/sar_advisor.html",
        {**context, "advisor": advisor, "keep_days": services.keep_days()},
    )


@login_required
@no_store
def subject_access_download(request: HttpRequest, pk: int) -> FileResponse:
    """The ZIP, as a download; every download is recorded. Not ready (or not yours) is 404."""
    sar = get_subject_access_for_user(request, pk)
    if sar.status != Status.READY or not sar.file:
        raise Http404("This copy is not ready yet.")
    try:
        handle = sar.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    services.subject_access_download(request=sar, by=request.user)
    return FileResponse(
        handle, as_attachment=True, filename=sar.filename, content_type="application/zip"
    )


@login_required
@require_POST
def subject_access_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask again for a copy that failed."""
    sar = get_subject_access_for_user(request, pk)
    if sar.status != Status.FAILED:
        messages.info(request, "This copy has not failed, so there is nothing to try again.")
    else:
        services.subject_access_retry(request=sar)
        messages.success(request, "We are trying again. The list below shows where it is up to.")
    return redirect("privacy:sar-advisor", pk=sar.advisor_id)
