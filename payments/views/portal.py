"""Payments in the advisor portal: one's own claims, expenses, logged time, preferences,
bank details and tax-year statements; and receipt downloads for the claimant and staff.

Advisors only ever see their own claims; another advisor's claim or receipt is 404.
Bank numbers are never shown back: only the last four digits of the account number.
"""

from datetime import date
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from advisors.access import get_advisor_for_user
from advisors.models import PaymentPreference
from ascru_pie.access import role_required
from ascru_pie.lib.dates import hours_words, tax_year
from ascru_pie.lib.paging import page_of
from ascru_pie.roles import Role
from ascru_pie.templatetags.words import day_text, pounds_text
from rates.models import RateCard

from .. import selectors, services
from ..access import get_claim_for_user
from ..forms_portal import BankDetailsForm, ExpenseForm, PreferencesForm, TimeForm
from ..models import BankDetails, BankDetailsChange, Claim

# Claims on one page of "Your payments": the newest first, older ones on the next pages.
PER_PAGE = 20


def _statement_years(today: date) -> list[int]:
    """The current tax year and the one before, by the year each starts in."""
    current = tax_year(today)[0].year
    return [current, current - 1]


@role_required(Role.ADVISOR)
def claim_list(request: HttpRequest) -> HttpResponse:
    """The advisor's own claims, newest first, with where each is up to in words."""
    advisor = get_advisor_for_user(request)
    page, page_range = page_of(
        request, Claim.objects.filter(advisor=advisor).order_by("-activity_date", "-pk"), PER_PAGE
    )
    claims = list(page)
    today = timezone.localdate()
    start, end = tax_year(today)
    totals = services.advisor_year_totals(advisor=advisor, on=today)
    limit, counted = advisor.annual_limit, totals.towards_limit
    return render(
        request,
        "payments/portal_claims.html",
        {
            "advisor": advisor,
            "claims": claims,
            "page": page,
            "page_range": page_range,
            "year_start": start,
            "year_end": end,
            "total": totals.total,
            "towards_limit": counted,
            "limit": limit,
            "limit_counts": services.limit_counts_words(),
            "limit_counts_all": settings.ANNUAL_LIMIT_COUNTS == "all",
            "left": limit - counted if limit is not None and counted <= limit else None,
            "over": counted - limit if limit is not None and counted > limit else None,
            "declines": advisor.payment_preference == PaymentPreference.DECLINE,
            "statement_years": _statement_years(today),
        },
    )


# --- claiming: expenses and time -------------------------------------------------------------


def _service_error(form, exc: ValidationError) -> None:
    form.add_error(None, " ".join(exc.messages))


@role_required(Role.ADVISOR)
def expense_new(request: HttpRequest) -> HttpResponse:
    """Claim an expense, with an optional receipt.

    If the claim would take the advisor over the annual limit they set, the form comes
    back with a warning and a "Submit anyway" button; nothing is saved until they press it.
    A receipt chosen before the page came back is kept for them (services.pending_receipts),
    so they need not add it again. The form's one-time key makes sending it twice one claim:
    the second sending is told "we have your claim", like the first.
    """
    advisor = get_advisor_for_user(request)
    form = ExpenseForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        advisor=advisor,
    )
    warning = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        key, receipt = data["submission_key"], data["receipt"]
        if receipt and key:
            # A new file replaces one kept earlier for this form.
            services.pending_receipt_discard(session=request.session, submission_key=key)
        elif not receipt:
            receipt = services.pending_receipt_open(session=request.session, submission_key=key)
        try:
            claim, late_warning = services.claim_expense_submit(
                advisor=advisor,
                by=request.user,
                expense_type=data["expense_type"],
                activity_date=data["activity_date"],
                amount=data["amount"],
                description=data["description"],
                receipt=receipt or None,
                meeting=data["meeting"],
                submission_key=key,
                confirm_over_limit=data["confirm_over_limit"],
            )
        except services.LimitNotConfirmed as exc:
            # Still deciding: the warning and the "Submit anyway" button stay on the page.
            warning = exc.warning
            _keep_receipt(request, key, data["receipt"])
        except ValidationError as exc:
            _service_error(form, exc)
            _keep_receipt(request, key, data["receipt"])
        else:
            services.pending_receipt_discard(session=request.session, submission_key=key)
            messages.success(
                request,
                f"Thank you. We have your claim for {pounds_text(claim.amount)} "
                f"({claim.description}). The PIE team will check it. "
                f"We aim to pay by {day_text(claim.expected_payment_date)}.",
            )
            if late_warning and not data["confirm_over_limit"]:
                messages.warning(request, late_warning)
            return redirect("payments:portal")
        finally:
            if receipt is not None and receipt is not data["receipt"]:
                receipt.close()
    elif request.method == "POST" and form.cleaned_data.get("receipt"):
        # Another answer needs fixing, but the receipt itself was fine: keep it.
        _keep_receipt(
            request, form.cleaned_data.get("submission_key"), form.cleaned_data["receipt"]
        )
    key = form.cleaned_data.get("submission_key") if form.is_bound else None
    kept = services.pending_receipt_name(session=request.session, submission_key=key)
    return render(
        request,
        "payments/portal_expense.html",
        {
            "form": form,
            "warning": warning,
            "kept_receipt": kept,
            # A browser forgets the chosen file when the form comes back: say so.
            "receipt_again": bool(form.errors and request.FILES.get("receipt") and not kept),
            "limit_counts": services.limit_counts_words(),
        },
        status=400 if form.errors else 200,
    )


def _keep_receipt(request: HttpRequest, key, upload) -> None:
    """Keep a newly chosen receipt for this form while the page comes back."""
    if key and upload:
        services.pending_receipt_keep(session=request.session, submission_key=key, upload=upload)


@role_required(Role.ADVISOR)
def time_new(request: HttpRequest) -> HttpResponse:
    """Log time spent on other work (e.g. reviewing documents), paid at the rate of the day.

    Over the advisor's own limit, it asks first ("Submit anyway"); the form's one-time key
    makes sending it twice one claim.
    """
    advisor = get_advisor_for_user(request)
    declines = advisor.payment_preference == PaymentPreference.DECLINE
    form = TimeForm(request.POST if request.method == "POST" else None, advisor=advisor)
    warning = ""
    if request.method == "POST" and not declines and form.is_valid():
        data = form.cleaned_data
        try:
            claim, late_warning = services.claim_time_log(
                advisor=advisor,
                by=request.user,
                activity=data["activity"],
                activity_date=data["activity_date"],
                hours=data["hours"],
                description=data["description"],
                project=data["project"],
                submission_key=data["submission_key"],
                confirm_over_limit=data["confirm_over_limit"],
            )
        except services.LimitNotConfirmed as exc:
            warning = exc.warning
        except ValidationError as exc:
            if getattr(exc, "code", None) == "no_rate":
                form.add_error(
                    None,
                    "We cannot work out the payment for this date yet. Nothing has been saved. "
                    "Please contact the Involvement Coordinator, who will sort it out.",
                )
            else:
                _service_error(form, exc)
        else:
            activity = RateCard.Activity(claim.activity).label.lower()
            messages.success(
                request,
                f"Thank you. We have logged {hours_words(claim.hours)} of {activity} on "
                f"{day_text(claim.activity_date)}. This comes to {pounds_text(claim.amount)} "
                f"(how we worked it out: {claim.computation}). "
                "The PIE team will check it.",
            )
            if late_warning and not data["confirm_over_limit"]:
                messages.warning(request, late_warning)
            return redirect("payments:portal")
    return render(
        request,
        "payments/portal_time.html",
        {
            "form": form,
            "warning": warning,
            "declines": declines,
            "limit_counts": services.limit_counts_words(),
        },
        status=400 if form.errors else 200,
    )


# --- preferences and bank details -------------------------------------------------------------


@role_required(Role.ADVISOR)
def preferences(request: HttpRequest) -> HttpResponse:
    """How to be paid, an optional annual limit, and bank details (stored encrypted).

    The bank fields are always empty: leaving them empty keeps the details we have.
    """
    advisor = get_advisor_for_user(request)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        bank_form = BankDetailsForm(request.POST)
        if form.is_valid() and bank_form.is_valid():
            try:
                services.payment_preferences_set(
                    advisor=advisor,
                    by=request.user,
                    payment_preference=form.cleaned_data["payment_preference"],
                    annual_limit=form.cleaned_data["annual_limit"],
                    bank_details=bank_form.cleaned_data if bank_form.has_details else None,
                    submission_key=form.cleaned_data["submission_key"],
                )
            except ValidationError as exc:
                # The error summary lists the first form's general errors.
                _service_error(form, exc)
            else:
                saved = (
                    "Your payment preferences and bank details have been saved."
                    if (bank_form.has_details)
                    else "Your payment preferences have been saved."
                )
                messages.success(request, saved)
                return redirect("payments:portal-preferences")
    else:
        form = PreferencesForm(
            initial={
                "payment_preference": advisor.payment_preference,
                "annual_limit": advisor.annual_limit,
            }
        )
        bank_form = BankDetailsForm()
    bank = BankDetails.objects.filter(advisor=advisor).first()
    # Details staff entered for the advisor, waiting for them (or a colleague) to confirm.
    pending = advisor.bank_details_changes.filter(status=BankDetailsChange.Status.PENDING).first()
    errors = bool(form.errors or bank_form.errors)
    return render(
        request,
        "payments/portal_preferences.html",
        {
            "form": form,
            "bank_form": bank_form,
            "bank": bank,
            "pending": pending,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# --- statements and receipts ----------------------------------------------------------------


@role_required(Role.ADVISOR)
def statement(request: HttpRequest, year: int) -> HttpResponse:
    """What we paid the advisor in the tax year starting 6 April `year`: print-friendly."""
    today = timezone.localdate()
    if not 2000 <= year <= today.year + 1:
        raise Http404("There is no statement for that year.")
    advisor = get_advisor_for_user(request)
    data = selectors.tax_year_statement(advisor=advisor, year_start=date(year, 4, 6))
    return render(
        request,
        "payments/portal_statement.html",
        {
            "advisor": advisor,
            "year": year,
            "start": data["start"],
            "end": data["end"],
            "claims": data["claims"],
            "total": data["total"],
            "by_month": data["by_month"],
            "by_type": data["by_type"],
            "previous_year": year - 1 if year > 2000 else None,
            "next_year": year + 1 if date(year + 1, 4, 6) <= today else None,
            "is_current": data["start"] <= today <= data["end"],
        },
    )


@role_required(Role.ADVISOR, Role.PIE_TEAM, Role.FINANCE)
def receipt_download(request: HttpRequest, pk: int) -> FileResponse:
    """A claim's receipt: for the PIE team and finance, or the advisor who claimed (others 404)."""
    claim, _ = get_claim_for_user(request, pk)
    if not claim.receipt:
        raise Http404("This claim has no receipt.")
    try:
        handle = claim.receipt.open("rb")
    except FileNotFoundError:
        raise Http404("The receipt file is missing.") from None
    return FileResponse(handle, as_attachment=True, filename=PurePosixPath(claim.receipt.name).name)
