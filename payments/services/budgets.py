"""Central budgets: the unit's PIE budgets per financial year, entered by the PIE team."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ascru_pie.models import User
from ascru_pie.roles import Role

from ..models import CentralBudget


def central_budgets_set(
    *, year_starting: date, amounts: dict[str, Decimal | None], by: User
) -> int:
    """Set the central budget of each category for one financial year (1 April to 31 March).

    An empty amount removes that category's budget. Returns how many budgets changed.
    Only the PIE team sets budgets; finance and the manager see them.
    """
    if not by.has_role(Role.PIE_TEAM):
        raise PermissionDenied("Only the PIE team can set central budgets.")
    if (year_starting.month, year_starting.day) != (4, 1):
        raise ValidationError("A financial year starts on 1 April.")
    changed = 0
    with transaction.atomic():
        existing = {
            b.category: b
            for b in CentralBudget.objects.select_for_update().filter(year_starting=year_starting)
        }
        for category, amount in amounts.items():
            budget = existing.get(category)
            if amount is None:
                if budget is not None:
                    budget.delete()
                    changed += 1
                continue
            if budget is not None and budget.amount == amount:
                continue
            budget = budget or CentralBudget(year_starting=year_starting, category=category)
            budget.amount = amount
            budget.full_clean()
            budget.save()
            changed += 1
    return changed
