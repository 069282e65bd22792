"""Budgets and time to pay (PIE team and finance): warnings in words, days to pay by month."""

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ascru_pie.access import role_required
from projects.models import Project

from .. import selectors
from ..access import STAFF

# --- Budgets and time to pay -----------------------------------------------------------------


def _financial_year_start(today: datetime.date) -> datetime.date:
    """The financial year starts on 1 April."""
    return datetime.date(today.year if today.month >= 4 else today.year - 1, 4, 1)


def _months_back(today: datetime.date, n: int) -> datetime.date:
    """The first day of the month `n` months before this one."""
    month = today.month - n
    year = today.year + (month - 1) // 12
    return datetime.date(year, (month - 1) % 12 + 1, 1)


@role_required(*STAFF)
def budgets(request: HttpRequest) -> HttpResponse:
    """Project and central budgets with warnings in words; how long payments take, by month."""
    today = timezone.localdate()
    year_starting = _financial_year_start(today)
    projects = [
        budget
        for budget in selectors.project_budgets(projects=Project.objects.order_by("title"))
        if budget.budget is not None or budget.committed
    ]
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
            "central": selectors.central_budgets(year_starting=year_starting),
            "year_starting": year_starting,
            "year_ending": datetime.date(year_starting.year + 1, 3, 31),
            "months": months,
            "n_paid": n_paid,
            "share_on_target": round(100 * n_on_target / n_paid) if n_paid else None,
            **selectors.claims_at_risk_summary(today=today),
        },
    )
