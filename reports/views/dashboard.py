"""The Unit Manager's dashboard: key figures for a year, charts with table alternatives,
and the reports they asked for.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ascru_pie.access import role_required
from ascru_pie.lib.dates import hours_words
from ascru_pie.roles import Role
from ascru_pie.templatetags.words import days_text

from .. import services
from ..figures import FIGURES_CACHE_SECONDS, Figures, Period, dashboard_figures
from ..forms import (
    ReportRequestForm,
    YearForm,
)
from ..words import report_about_words
from .requests import (
    Kind,
    _dashboard_requests,
    _list_context,
    _list_partial,
    _request_rows,
)

# --- The dashboard -----------------------------------------------------------------------------


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
                    days_text(r["median"]),
                    days_text(r["p90"]),
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


def _render_dashboard(
    request: HttpRequest, form: ReportRequestForm, *, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    year_form = YearForm(request.GET or None, today=today)
    year = (year_form.cleaned_data["year"] if year_form.is_valid() else None) or today.year
    f = dashboard_figures(Period.calendar_year(year))
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
            "management": management,
            "impacts_total": sum(n for _, n in f.impacts_by_stage),
            "feedback": _feedback(f.feedback),
            "budgets": f.budgets,
            "central": f.central,
            "budgets_more": f.budget_count - len(f.budgets),
            "budgets_caption": (
                f"The {len(f.budgets)} project PIE budgets nearest their limit, of {f.budget_count}: "
                "the whole budget of each project against all its claims so far"
                if f.budget_count > len(f.budgets)
                else "Project PIE budgets: the whole budget of each project against all its "
                "claims so far"
            ),
            "figures_minutes": FIGURES_CACHE_SECONDS // 60,
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
            period_kind=data["period_kind"],
            project=data["project"] if data["kind"] == Kind.PROJECT else None,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{report.get_kind_display()} asked for ({report_about_words(report, portal=False)}). "
            "It is listed under “Your reports” below, and this page shows when it is ready.",
        )
    return redirect("reports:home")
