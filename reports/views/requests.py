"""Report requests: the list on each page (polled with htmx while one is being made),
asking for one, its status, the download and "try again". PDFs are made by a worker.
"""

import hashlib

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ascru_pie.access import role_required
from ascru_pie.models import User
from ascru_pie.roles import Role

from .. import services
from ..access import (
    ADVISOR_KINDS,
    can_retry,
    get_report_for_user,
    is_staff_reader,
)
from ..models import ReportRequest
from ..words import ADVISOR_FAILED_WORDS, report_status_words

Kind, Status = ReportRequest.Kind, ReportRequest.Status

IN_PROGRESS = (Status.QUEUED, Status.RUNNING)

# How many requests the lists show, newest first.
RECENT_REQUESTS = 20

# --- The list of requests (a full page's section, or the htmx partial) ------------------------


def _request_rows(requests: QuerySet, *, user: User, portal: bool) -> list[ReportRequest]:
    rows = list(requests.select_related("project", "advisor", "requested_by")[:RECENT_REQUESTS])
    for report in rows:
        report.can_retry = can_retry(report, user)
    return rows


def _list_context(rows: list[ReportRequest], *, poll_url: str, portal: bool) -> dict:
    # A fingerprint of what the list shows. A poll that finds nothing changed gets "204 No
    # Content", which htmx does not swap: the list sits inside an aria-live region, and
    # swapping it every two seconds would make screen readers read it out again and again
    # (and take keyboard focus away from a link in it).
    state = hashlib.md5(
        ",".join(f"{r.pk}:{r.status}" for r in rows).encode(), usedforsecurity=False
    ).hexdigest()[:16]
    polling = any(r.status in IN_PROGRESS for r in rows)
    return {
        "rows": rows,
        "state": state,
        "poll_url": f"{poll_url}?partial=1&seen={state}" if polling else "",
        "portal": portal,
        "recent": RECENT_REQUESTS,
    }


def _list_partial(request: HttpRequest, context: dict) -> HttpResponse:
    if request.GET.get("seen") == context["state"]:
        return HttpResponse(status=204)
    return render(request, "reports/_request_list.html", context)


def _dashboard_requests(user: User) -> QuerySet:
    """The manager's own requests; the PIE team's list has every staff request too."""
    if user.has_role(Role.PIE_TEAM):
        return ReportRequest.objects.filter(Q(requested_by=user) | ~Q(kind__in=ADVISOR_KINDS))
    return ReportRequest.objects.filter(requested_by=user)


# --- One request: status, download, retry -------------------------------------------------------


@role_required(Role.MANAGER, Role.PIE_TEAM, Role.ADVISOR)
def request_status(request: HttpRequest, pk: int) -> JsonResponse:
    """Where one request is up to, as JSON (for scripts; the pages poll the list instead)."""
    report = get_report_for_user(request, pk)
    portal = not is_staff_reader(request.user)
    failed = report.status == Status.FAILED
    return JsonResponse(
        {
            "status": report.status,
            "status_words": report_status_words(report, portal=portal),
            "error": (ADVISOR_FAILED_WORDS if portal else report.error) if failed else "",
            "download_url": reverse("reports:download", args=[report.pk])
            if report.status == Status.DONE
            else None,
        }
    )


@role_required(Role.MANAGER, Role.PIE_TEAM, Role.ADVISOR)
def request_download(request: HttpRequest, pk: int) -> FileResponse:
    """The finished PDF, as a download. Not finished (or not yours) is 404."""
    report = get_report_for_user(request, pk)
    if report.status != Status.DONE or not report.file:
        raise Http404("This report is not ready yet.")
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        raise Http404("The report file is missing.") from None
    return FileResponse(
        handle, as_attachment=True, filename=report.filename, content_type="application/pdf"
    )


@role_required(Role.MANAGER, Role.PIE_TEAM, Role.ADVISOR)
@require_POST
def request_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask again for a report that failed (the person who asked, or the PIE team)."""
    report = get_report_for_user(request, pk, retry=True)
    if report.status != Status.FAILED:
        messages.info(request, "This document has not failed, so there is nothing to try again.")
    else:
        services.report_retry(request=report, by=request.user)
        messages.success(
            request, "We are trying again to make it. The list below shows when it is ready."
        )
    return redirect("reports:home" if is_staff_reader(request.user) else "reports:portal")
