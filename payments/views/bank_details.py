"""Bank details entered by staff (from a letter or a call) and their confirmation.

Finance only: the PIE team sees the last four digits in the advisor admin and nothing more.
Four eyes: what one member of finance enters is used only once the advisor (in their portal)
or a second member of staff confirms it (payments.services.bank_details_change_confirm).
The page shows the last four digits only, never the full numbers.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from advisors.access import get_advisor_for_user
from advisors.models import Advisor
from ascru_pie.access import role_required
from ascru_pie.roles import Role

from .. import services
from ..forms_portal import BankDetailsForm
from ..models import BankDetails, BankDetailsChange

ALL_THREE = "Fill in all three boxes: the name on the account, the sort code and the number."


@role_required(Role.FINANCE)
def bank_details_staff(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter new bank details for an advisor; they wait for the advisor or a colleague."""
    advisor = get_object_or_404(Advisor, pk=pk)
    form = BankDetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form.has_details:
            form.add_error(None, ALL_THREE)
        else:
            try:
                change = services.bank_details_set(
                    advisor=advisor, by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                told = (
                    "We have emailed the advisor to say so."
                    if advisor.email
                    else "The advisor has no email address: tell them by phone or post."
                )
                messages.success(
                    request,
                    f"New bank details (account ending {change.new_last4}) were entered for "
                    f"{advisor.full_name}. They will be used once {advisor.full_name} or a "
                    f"colleague confirms them; until then we pay as before. {told}",
                )
                return redirect("payments:bank-details", advisor.pk)
    return render(
        request,
        "payments/staff_bank_details.html",
        {
            "advisor": advisor,
            "bank": BankDetails.objects.filter(advisor=advisor).first(),
            "pending": advisor.bank_details_changes.filter(status=BankDetailsChange.Status.PENDING)
            .select_related("by")
            .first(),
            "changes": advisor.bank_details_changes.select_related("by", "confirmed_by")[:10],
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(Role.FINANCE)
def bank_details_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """A second member of finance confirms details a colleague entered."""
    change = get_object_or_404(BankDetailsChange.objects.select_related("advisor"), pk=pk)
    _confirm(request, change)
    return redirect("payments:bank-details", change.advisor_id)


@require_POST
@role_required(Role.ADVISOR)
def portal_bank_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The advisor confirms details staff entered for them (another advisor's change: 404)."""
    advisor = get_advisor_for_user(request)
    change = get_object_or_404(advisor.bank_details_changes.select_related("advisor"), pk=pk)
    _confirm(request, change)
    return redirect("payments:portal-preferences")


def _confirm(request: HttpRequest, change: BankDetailsChange) -> None:
    try:
        services.bank_details_change_confirm(change=change, by=request.user)
    except ValidationError as exc:
        messages.error(request, "Nothing was changed: " + " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Confirmed: we will now pay into the account ending {change.new_last4}.",
        )
