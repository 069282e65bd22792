"""Budgets and time to pay (PIE team and finance): warnings in words, days to pay by month,
central budgets per financial year (set by the PIE team), advisors' support budgets."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from ascru_pie.access import role_required
from ascru_pie.lib.forms import posted
from ascru_pie.lib.paging import page_of
from ascru_pie.roles import Role

from .. import selectors, services
from ..access import STAFF
from ..forms_staff import CentralBudgetsForm
from ..models import CentralBudget

# --- Budgets and time to pay -----------------------------------------------------------------

# Project budgets on one page of the budgets page.
PROJECTS_PER_PAGE = 50


def _months_back(today: datetime.date, n: int) -> datetime.date:
    """The first day of the month `n` months before this one."""
    month = today.month - n
    year = today.year + (month - 1) // 12
    return datetime.date(year, (month - 1) % 12 + 1, 1)


def _financial_years(today: datetime.date) -> list[dict]:
    """The years the picker offers: three back, this one and the next, newest first."""
    this = selectors.financial_year_start(today).year
    return [
        {"value": year, "words": f"April {year} to March {year + 1}", "current": year == this}
        for year in range(this + 1, this - 4, -1)
    ]


def _chosen_year(request: HttpRequest, today: datetime.date) -> tuple[datetime.date, list[dict]]:
    """The financial year asked for with ?year=2026 (one the picker offers), else this one."""
    years = _financial_years(today)
    offered = {y["value"] for y in years}
    asked = request.GET.get("year", "")
    year = int(asked) if asked.isdigit() and int(asked) in offered else None
    year = year or selectors.financial_year_start(today).year
    for y in years:
        y["chosen"] = y["value"] == year
    return datetime.date(year, 4, 1), years


@role_required(*STAFF)
def budgets(request: HttpRequest) -> HttpResponse:
    """Project and central budgets with warnings in words; support budgets; days to pay."""
    today = timezone.localdate()
    year_starting, years = _chosen_year(request, today)
    page, page_range = page_of(request, selectors.projects_with_budgets(), PROJECTS_PER_PAGE)
    projects = selectors.project_budgets(projects=page)
    months = selectors.days_to_pay_by_month(since=_months_back(today, 11), until=today)
    for month in months:
        month["share"] = round(100 * month["on_target"] / month["count"])
    n_paid = sum(m["count"] for m in months)
    n_on_target = sum(m["on_target"] for m in months)
    return render(
        request,
        "payments/staff_budgets.html",
        {
            "projects": projects,
            "page": page,
            "page_range": page_range,
            "central": selectors.central_budgets(year_starting=year_starting),
            "support": selectors.support_budgets(year_starting=year_starting),
            "years": years,
            "year_starting": year_starting,
            "year_ending": selectors.financial_year_end(year_starting),
            "can_set_budgets": request.user.has_role(Role.PIE_TEAM),
            "months": months,
            "n_paid": n_paid,
            "share_on_target": round(100 * n_on_target / n_paid) if n_paid else None,
            **selectors.claims_at_risk_summary(today=today),
        },
    )


@role_required(*STAFF)
def central_budgets_edit(request: HttpRequest) -> HttpResponse:
    """The central budgets of one financial year: the PIE team sets them, finance sees them."""
    today = timezone.localdate()
    year_starting, years = _chosen_year(request, today)
    can_edit = request.user.has_role(Role.PIE_TEAM)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Only the PIE team can set central budgets.")
    current = {
        b.category: b.amount for b in CentralBudget.objects.filter(year_starting=year_starting)
    }
    form = CentralBudgetsForm(posted(request), initial=current)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.central_budgets_set(
                year_starting=year_starting, amounts=form.cleaned_data, by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            words = f"April {year_starting.year} to March {year_starting.year + 1}"
            messages.success(
                request,
                f"Central budgets for {words} saved."
                if changed
                else f"No central budgets for {words} changed.",
            )
            return redirect(reverse("payments:budgets") + f"?year={year_starting.year}")
    return render(
        request,
        "payments/staff_central_budgets.html",
        {
            "form": form,
            "years": years,
            "year_starting": year_starting,
            "year_ending": selectors.financial_year_end(year_starting),
            "can_edit": can_edit,
            "rows": [
                (label, current.get(category)) for category, label in CentralBudget.Category.choices
            ],
        },
        status=400 if form.errors else 200,
    )
