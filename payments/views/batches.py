"""Staff batch pages (PIE team and finance): batches, the finance export and finance's
"paid" file. Every change goes through payments.services (batch first, then its claims).
"""

import datetime

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone

from ascru_pie.access import role_required
from ascru_pie.lib.money import ZERO, to_money
from ascru_pie.lib.paging import page_of
from ascru_pie.templatetags.words import plural_text, pounds_text

from .. import selectors, services
from ..access import STAFF, get_batch_for_user
from ..forms_staff import (
    MarkPaidForm,
    PaidImportForm,
)
from ..models import Claim, PaymentBatch
from ..resources import PaidFileError, paid_file_read

PAID_IMPORT_SALT = "payments.paid-import"
# The preview's rows are signed into the page; a preview older than this must be redone.
PAID_IMPORT_MAX_AGE = 60 * 60

# Claims on one page of a batch; the totals, the "mark all paid" button and the export
# always cover the whole batch.
BATCH_PER_PAGE = 100

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# --- Batches ---------------------------------------------------------------------------------


@role_required(*STAFF)
def batch_list(request: HttpRequest) -> HttpResponse:
    """Every batch, and building a new one from all the approved claims that are waiting."""
    if request.method == "POST":
        try:
            batch = services.batch_build(by=request.user)
        except ValidationError as exc:
            # A second click finds the claims already taken, and says so.
            messages.error(request, " ".join(exc.messages))
            return redirect("payments:batches")
        messages.success(
            request,
            f"Batch {batch.reference} built: {plural_text(batch.claims.count(), 'claim')}, "
            f"{pounds_text(batch.total)}. "
            "Someone else must now approve it for payment.",
        )
        return redirect("payments:batch", batch.pk)

    waiting = Claim.objects.ready_to_batch().aggregate(n=Count("pk"), total=Sum("amount"))
    return render(
        request,
        "payments/staff_batches.html",
        {
            "batches": PaymentBatch.objects.select_related("created_by", "approved_by").annotate(
                n_claims=Count("claims")
            ),
            "waiting_count": waiting["n"],
            "waiting_total": to_money(waiting["total"] or ZERO),
        },
    )


@role_required(*STAFF)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch's claims; approve it (not its builder), mark all or some claims paid, export it."""
    batch, _ = get_batch_for_user(request, pk)
    is_builder = batch.created_by_id == request.user.pk
    selected = "mark_selected" in request.POST
    marking = selected or "mark_paid" in request.POST
    confirming_all = False
    form = MarkPaidForm(
        request.POST if marking else None,
        batch=batch,
        selected=selected,
        initial={"paid_on": timezone.localdate()},
    )

    if request.method == "POST":
        if "approve" in request.POST:
            try:
                services.batch_approve(batch=batch, by=request.user)
            except ValidationError as exc:
                messages.error(request, "The batch was not approved: " + " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    f"Batch {batch.reference} approved for payment. You can now export it for finance.",
                )
            return redirect("payments:batch", batch.pk)
        if not marking:
            return HttpResponseBadRequest("Choose an action.")
        # Marking the whole batch paid is asked once more, with the total, before it is done.
        confirming_all = (
            marking and not selected and not request.POST.get("confirm_paid") and form.is_valid()
        )
        if form.is_valid() and not confirming_all:
            paid_on = form.cleaned_data["paid_on"]
            claim_ids = [c.pk for c in form.cleaned_data["claims"]] if selected else None
            try:
                changed = services.batch_mark_paid(
                    batch=batch, paid_on=paid_on, by=request.user, claim_ids=claim_ids
                )
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                if changed:
                    messages.success(
                        request,
                        f"{plural_text(changed, 'claim')} marked paid on {paid_on:%d %B %Y}.",
                    )
                else:
                    messages.info(request, "No claims changed: they were already marked paid.")
                return redirect("payments:batch", batch.pk)

    figures = selectors.batch_figures(batch=batch)
    page, page_range = page_of(
        request,
        batch.claims.select_related("advisor", "advisor__bank_details").order_by(
            "advisor__last_name", "advisor__first_name", "pk"
        ),
        BATCH_PER_PAGE,
    )
    return render(
        request,
        "payments/staff_batch.html",
        {
            "batch": batch,
            "claims": list(page),
            "page": page,
            "page_range": page_range,
            "n_claims": figures.n_claims,
            "n_unpaid": figures.n_unpaid,
            "unpaid_total": figures.unpaid_total,
            "missing_bank": selectors.batch_payees_missing_bank_details(batch=batch),
            "confirm_paid_on": form.cleaned_data["paid_on"] if confirming_all else None,
            "n_paid": figures.n_claims - figures.n_unpaid,
            "form": form,
            "is_builder": is_builder,
            "can_approve": batch.status == PaymentBatch.Status.BUILT and not is_builder,
            "can_export": batch.status == PaymentBatch.Status.APPROVED,
            "can_mark_paid": batch.status != PaymentBatch.Status.BUILT and bool(figures.n_unpaid),
        },
        status=400 if form.errors else 200,
    )


@role_required(*STAFF)
def batch_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch for the finance system, as CSV or Excel, in the configured columns."""
    batch, _ = get_batch_for_user(request, pk)
    file_type = request.GET.get("format", "csv")
    if file_type not in EXPORT_TYPES:
        return HttpResponseBadRequest("Ask for format=csv or format=xlsx.")
    try:
        content = services.batch_export(batch=batch, by=request.user, file_type=file_type)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("payments:batch", batch.pk)
    response = HttpResponse(content, content_type=EXPORT_TYPES[file_type])
    response["Content-Disposition"] = f'attachment; filename="{batch.reference}.{file_type}"'
    # The file names payees (and may hold bank details): never keep it in a cache.
    response["Cache-Control"] = "no-store"
    return response


# --- Finance's "paid" file -------------------------------------------------------------------


@role_required(*STAFF)
def paid_import(request: HttpRequest) -> HttpResponse:
    """Upload finance's paid file, see what it will do, then confirm (all rows or none)."""
    form = PaidImportForm()
    context: dict = {}
    if request.method == "POST" and "confirm" in request.POST:
        return _paid_import_confirm(request)
    if request.method == "POST":
        form = PaidImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = services.paid_file_preview(
                    rows=paid_file_read(name=upload.name, content=upload.read())
                )
            except PaidFileError as exc:
                form.add_error("file", str(exc))
            else:
                errors = [r for r in rows if r.error]
                context = {
                    "file_name": upload.name,
                    "rows": rows,
                    "errors": errors,
                    "n_to_pay": sum(1 for r in rows if r.outcome.startswith("Will")),
                    "n_already": sum(1 for r in rows if r.outcome.startswith("Already")),
                    # Only a clean file can be confirmed; its rows travel signed in the page.
                    "token": ""
                    if errors
                    else signing.dumps(
                        {
                            "name": upload.name,
                            "by": request.user.pk,
                            "rows": [[r.claim_id, r.paid_on.isoformat()] for r in rows],
                        },
                        salt=PAID_IMPORT_SALT,
                    ),
                }
    return render(
        request,
        "payments/staff_paid_import.html",
        {"form": form, **context},
        status=400 if form.errors or context.get("errors") else 200,
    )


def _paid_import_confirm(request: HttpRequest) -> HttpResponse:
    try:
        data = signing.loads(
            request.POST.get("token", ""), salt=PAID_IMPORT_SALT, max_age=PAID_IMPORT_MAX_AGE
        )
        if data["by"] != request.user.pk:
            raise ValueError("previewed by someone else")
        rows = [
            (int(claim_id), datetime.date.fromisoformat(paid_on))
            for claim_id, paid_on in data["rows"]
        ]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        messages.error(
            request,
            "The preview has expired or could not be read. Upload the file again; nothing was changed.",
        )
        return redirect("payments:paid-import")
    try:
        changed = services.finance_paid_apply(rows=rows, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("payments:paid-import")
    already = len(rows) - changed
    text = f"{data['name']}: {plural_text(changed, 'claim')} marked paid"
    if already:
        text += f"; {already} {'was' if already == 1 else 'were'} already paid"
    messages.success(request, text + ".")
    return redirect("payments:paid-import")
