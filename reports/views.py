"""Report pages: the Unit Manager's dashboard (key figures, charts and PDF reports), advisors'
own documents, reference letters and the PIE team's reminders log.

PDFs are made by a worker. These pages ask for them (services.report_request), say where each
request is up to, and poll with htmx only while one is queued or being made.

Who may open which report request (one rule, in `get_report_for_user`):
- the PIE team: every one;
- the Unit Manager: the unit's reports (annual and project) and anything they asked for
  themselves, never an advisor's personal documents (statements, certificates, references);
- an advisor: only their own statements and certificates.
Any other is 404, so nobody learns that it exists.
"""

import hashlib
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from advisors.access import get_advisor_for_user
from advisors.models import Advisor
from ascru_pie.access import role_required
from ascru_pie.lib.dates import deadline_words, hours_words, tax_year
from ascru_pie.lib.money import to_money
from ascru_pie.models import User
from ascru_pie.roles import Role

from . import services
from .figures import Figures, Period, key_figures
from .forms import (
    ReferenceLetterForm,
    ReportRequestForm,
    StatementForm,
    YearForm,
    tax_year_label,
)
from .models import ReportRequest

Kind, Status = ReportRequest.Kind, ReportRequest.Status

# An advisor may ask for these about themselves (services.ADVISOR_KINDS).
ADVISOR_KINDS = [Kind.STATEMENT, Kind.CERTIFICATE]
# Documents about one advisor: the manager does not need them, so never sees them.
PERSONAL_KINDS = [Kind.STATEMENT, Kind.CERTIFICATE, Kind.REFERENCE]
IN_PROGRESS = (Status.QUEUED, Status.RUNNING)

# How many requests the lists show, newest first.
RECENT_REQUESTS = 20

# What advisors call their two documents.
PORTAL_KIND_WORDS = {
    Kind.STATEMENT: "Statement of payments",
    Kind.CERTIFICATE: "Certificate of involvement",
}
ADVISOR_FAILED_WORDS = (
    "Failed: something went wrong while making it. Please try again. "
    "If it fails again, please contact the Involvement Coordinator."
)


def _pounds(amount: Decimal | None) -> str:
    """£1,234.50."""
    return "not set" if amount is None else f"£{to_money(amount):,.2f}"


def _plural(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


# --- Who may see which request ----------------------------------------------------------------


def _visible_requests(user: User) -> QuerySet:
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
    requests = _visible_requests(request.user)
    if retry and not request.user.has_role(Role.PIE_TEAM):
        requests = requests.filter(requested_by=request.user)
    return get_object_or_404(requests.select_related("project", "advisor", "requested_by"), pk=pk)


def _is_staff_reader(user: User) -> bool:
    return user.has_role(Role.PIE_TEAM, Role.MANAGER)


# --- The list of requests (a full page's section, or the htmx partial) ------------------------


def _about(report: ReportRequest, *, portal: bool) -> str:
    """What the report covers: the year, the project or the advisor."""
    if report.kind == Kind.ANNUAL:
        return Period.calendar_year(report.year).label if report.year else ""
    if report.kind == Kind.PROJECT:
        return report.project.title if report.project else ""
    if report.kind == Kind.STATEMENT:
        years = f"Tax year {tax_year_label(report.year)}" if report.year else ""
        return years if portal else f"{report.advisor.full_name}: {years}"
    if report.kind == Kind.CERTIFICATE:
        upto = (
            f"Your involvement up to {date_format(timezone.localtime(report.created_at), 'j F Y')}"
        )
        return upto if portal else report.advisor.full_name
    return report.advisor.full_name if report.advisor else ""


def _status_words(report: ReportRequest, *, portal: bool) -> str:
    if report.status == Status.QUEUED:
        return "Queued: it will be made in a moment"
    if report.status == Status.RUNNING:
        return "Being made"
    if report.status == Status.DONE:
        return "Ready"
    # The technical reason helps the PIE team; an advisor gets plain words instead.
    if portal:
        return ADVISOR_FAILED_WORDS
    return f"Failed: {report.error}" if report.error else "Failed"


def _request_rows(requests: QuerySet, *, user: User, portal: bool) -> list[ReportRequest]:
    rows = list(requests.select_related("project", "advisor", "requested_by")[:RECENT_REQUESTS])
    pie_team = user.has_role(Role.PIE_TEAM)
    for report in rows:
        report.kind_words = PORTAL_KIND_WORDS.get(report.kind) if portal else None
        report.kind_words = report.kind_words or report.get_kind_display()
        report.about = _about(report, portal=portal)
        report.status_words = _status_words(report, portal=portal)
        report.requested_words = deadline_words(report.created_at)
        report.can_retry = report.status == Status.FAILED and (
            pie_team or report.requested_by_id == user.pk
        )
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


# --- The dashboard -----------------------------------------------------------------------------


def _days(n: float | None) -> str:
    if n is None:
        return ""
    return _plural(int(n), "day") if float(n).is_integer() else f"{n:g} days"


def _charts(f: Figures) -> list[dict]:
    """Each chart with the same numbers as a table, for people who cannot see the chart."""
    svgs = f.charts()
    return [
        {
            "id": "chart-hours",
            "title": "Advisor hours per month",
            "svg": svgs["hours"],
            "head": ["Month", "Hours"],
            "rows": [[f"{month:%B %Y}", hours_words(hours)] for month, hours in f.hours_by_month],
        },
        {
            "id": "chart-days-to-pay",
            "title": "Days from the activity to payment, by the month claims were paid",
            "svg": svgs["days_to_pay"],
            "head": [
                "Month paid",
                "Claims paid",
                "Median",
                "9 in 10 paid within",
                "Paid within the target",
            ],
            "rows": [
                [
                    f"{r['month']:%B %Y}",
                    r["count"],
                    _days(r["median"]),
                    _days(r["p90"]),
                    f"{r['on_target']} of {r['count']}",
                ]
                for r in f.days_to_pay_by_month
            ],
        },
        {
            "id": "chart-impacts",
            "title": "Actual impacts recorded, by research stage",
            "svg": svgs["impacts"],
            "head": ["Research stage", "Impacts recorded"],
            "rows": [[label, n] for label, n in f.impacts_by_stage],
        },
    ]


def _feedback(feedback: dict) -> dict | None:
    """Survey averages, hidden below the small-number threshold (as on the feedback page)."""
    if not feedback or not feedback.get("n"):
        return None
    n, threshold = feedback["n"], settings.EQUALITY_SUPPRESS_BELOW

    def out_of_five(value) -> str:
        if value is None:
            return "no answers"
        return f"{Decimal(str(value)).quantize(Decimal('0.1'), ROUND_HALF_UP)} out of 5"

    shown = n >= threshold
    return {
        "n": n,
        "threshold": threshold,
        "shown": shown,
        "felt_valued": out_of_five(feedback["felt_valued"]) if shown else "",
        "had_support": out_of_five(feedback["had_support"]) if shown else "",
        "again": f"{feedback['again_yes']} of {n}" if shown else "",
    }


def _budget_rows(budgets: list) -> list[dict]:
    words = {"over": "Over budget", "near": "Nearly spent (80% or more)", "": ""}
    return [
        {
            "name": b.name,
            "budget": _pounds(b.budget),
            "committed": _pounds(b.committed),
            "paid": _pounds(b.paid),
            "used": f"{b.percent}%" if b.percent is not None else "",
            "warning": words[b.warning],
        }
        for b in budgets
    ]


def _render_dashboard(
    request: HttpRequest, form: ReportRequestForm, *, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    year_form = YearForm(request.GET or None, today=today)
    year = (year_form.cleaned_data["year"] if year_form.is_valid() else None) or today.year
    f = key_figures(Period.calendar_year(year))
    rows = _request_rows(_dashboard_requests(request.user), user=request.user, portal=False)
    management = (
        f"{f.management_with_advisor} of {f.management_held} ({f.management_share}%)"
        if f.management_held
        else ""
    )
    return render(
        request,
        "reports/dashboard.html",
        {
            "year": year,
            "year_form": year_form,
            "f": f,
            "hours": hours_words(f.hours),
            "management": management,
            "budget_total": _pounds(f.budget_total),
            "committed_total": _pounds(f.committed_total),
            "paid_total": _pounds(f.paid_total),
            "median_days": _days(f.median_days_to_pay),
            "p90_days": _days(f.p90_days_to_pay),
            "impacts_total": sum(n for _, n in f.impacts_by_stage),
            "feedback": _feedback(f.feedback),
            "budgets": _budget_rows(f.budgets),
            "central": _budget_rows(f.central),
            "charts": _charts(f),
            "threshold": settings.EQUALITY_SUPPRESS_BELOW,
            "form": form,
            "user_is_pie_team": request.user.has_role(Role.PIE_TEAM),
            **_list_context(rows, poll_url=reverse("reports:home"), portal=False),
        },
        status=status,
    )


@role_required(Role.MANAGER, Role.PIE_TEAM)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Key figures for a calendar year with charts and tables, and the reports asked for."""
    if request.GET.get("partial"):
        rows = _request_rows(_dashboard_requests(request.user), user=request.user, portal=False)
        return _list_partial(
            request, _list_context(rows, poll_url=reverse("reports:home"), portal=False)
        )
    return _render_dashboard(request, ReportRequestForm(today=timezone.localdate()))


# The role check comes first, so a stranger gets the login page or 403, never a 405.
@role_required(Role.MANAGER, Role.PIE_TEAM)
@require_POST
def request_create(request: HttpRequest) -> HttpResponse:
    """Ask for an annual or project report; the worker makes it after the request commits."""
    form = ReportRequestForm(request.POST, today=timezone.localdate())
    if not form.is_valid():
        return _render_dashboard(request, form, status=400)
    data = form.cleaned_data
    try:
        report = services.report_request(
            kind=data["kind"],
            by=request.user,
            year=data["year"],
            project=data["project"] if data["kind"] == Kind.PROJECT else None,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{report.get_kind_display()} asked for ({_about(report, portal=False)}). "
            "It is listed under “Your reports” below, and this page shows when it is ready.",
        )
    return redirect("reports:home")


# --- One request: status, download, retry -------------------------------------------------------


@role_required(Role.MANAGER, Role.PIE_TEAM, Role.ADVISOR)
def request_status(request: HttpRequest, pk: int) -> JsonResponse:
    """Where one request is up to, as JSON (for scripts; the pages poll the list instead)."""
    report = get_report_for_user(request, pk)
    portal = not _is_staff_reader(request.user)
    failed = report.status == Status.FAILED
    return JsonResponse(
        {
            "status": report.status,
            "status_words": _status_words(report, portal=portal),
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
    return redirect("reports:home" if _is_staff_reader(request.user) else "reports:portal")


# --- Advisors' own documents ---------------------------------------------------------------------


@role_required(Role.ADVISOR)
def portal_documents(request: HttpRequest) -> HttpResponse:
    """Ask for a statement of payments or a certificate of involvement, and download them."""
    advisor = get_advisor_for_user(request)
    mine = ReportRequest.objects.filter(advisor=advisor, kind__in=ADVISOR_KINDS)
    poll_url = reverse("reports:portal")
    if request.GET.get("partial"):
        rows = _request_rows(mine, user=request.user, portal=True)
        return _list_partial(request, _list_context(rows, poll_url=poll_url, portal=True))

    today = timezone.localdate()
    document = request.POST.get("document") if request.method == "POST" else None
    form = StatementForm(
        request.POST if document == Kind.STATEMENT else None, tax_year_start=tax_year(today)[0].year
    )
    kind = year = None
    if document == Kind.CERTIFICATE:
        kind = Kind.CERTIFICATE
    elif document == Kind.STATEMENT and form.is_valid():
        kind, year = Kind.STATEMENT, form.cleaned_data["year"]
    if kind:
        try:
            services.report_request(kind=kind, by=request.user, advisor=advisor, year=year)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            what = f"statement for {tax_year_label(year)}" if year else "certificate of involvement"
            messages.success(
                request,
                f"Thank you. We are making your {what}. It usually takes less than a minute. "
                "When it is ready, a link to download it appears in the list below.",
            )
        return redirect("reports:portal")

    rows = _request_rows(mine, user=request.user, portal=True)
    return render(
        request,
        "reports/portal_documents.html",
        {"form": form, "advisor": advisor, **_list_context(rows, poll_url=poll_url, portal=True)},
        status=400 if form.errors else 200,
    )


# --- Reference letters (PIE team) ----------------------------------------------------------------


@role_required(Role.PIE_TEAM)
def reference_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a drafted reference letter for an advisor, then have it made into a PDF."""
    advisor = get_object_or_404(Advisor, pk=pk)
    if request.method == "POST":
        form = ReferenceLetterForm(request.POST)
        if form.is_valid():
            try:
                services.report_request(
                    kind=Kind.REFERENCE,
                    by=request.user,
                    advisor=advisor,
                    letter_text=form.cleaned_data["letter_text"],
                )
            except ValidationError as exc:
                form.add_error("letter_text", " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    f"The reference letter for {advisor.full_name} is being made. It is listed "
                    "under “Your reports” below, with a download link when it is ready.",
                )
                return redirect("reports:home")
    else:
        form = ReferenceLetterForm(
            initial={"letter_text": services.reference_draft(advisor=advisor)}
        )
    return render(
        request,
        "reports/reference.html",
        {"advisor": advisor, "form": form},
        status=400 if form.errors else 200,
    )
