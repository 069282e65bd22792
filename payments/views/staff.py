"""The staff payment pages (PIE team and finance): approving claims, entering claims on an
advisor's behalf, payment batches and the finance export, finance's "paid" file, budgets
and time to pay.

Every change of money or status goes through payments.services, which locks and re-checks
the rows; these views parse the request, call the service and say what happened.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ascru_pie.access import role_required
from ascru_pie.lib.money import ZERO, to_money
from ascru_pie.roles import Role
from projects.models import Project
from rates.models import RateCard

from .. import selectors, services
from ..forms_staff import (
    ClaimApproveForm,
    MarkPaidForm,
    PaidImportForm,
    ReasonForm,
    StaffExpenseForm,
    StaffTimeForm,
)
from ..models import Claim, PaymentBatch
from ..resources import PaidFileError, paid_file_read

STAFF = (Role.PIE_TEAM, Role.FINANCE)

REJECT_REASON_REQUIRED = "Give a reason: the advisor will see it."
REVERSE_REASON_REQUIRED = "Say why the claim is being corrected."
PAST_TENSE = {"approve": "approved", "reject": "rejected", "reverse": "reversed"}

PAID_IMPORT_SALT = "payments.paid-import"
# The preview's rows are signed into the page; a preview older than this must be redone.
PAID_IMPORT_MAX_AGE = 60 * 60

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _posted(request: HttpRequest):
    # Not `request.POST or None`: an empty POST must still be a bound (and checked) form.
    return request.POST if request.method == "POST" else None


def _plural(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def _kind_words(claim: Claim) -> str:
    if claim.kind == Claim.Kind.TIME:
        return f"Time: {claim.get_activity_display() or 'meeting attendance'}"
    return f"Expenses: {(claim.get_expense_type_display() or 'other').lower()}"


def _at_risk(today: datetime.date) -> dict:
    """Unpaid claims near or past the payment target, with the due date and the state in words."""
    claims = list(selectors.claims_at_risk(today=today))
    for claim in claims:
        claim.due_on = claim.activity_date + datetime.timedelta(days=settings.PAYMENT_TARGET_DAYS)
        late = (today - claim.due_on).days
        if late > 0:
            claim.risk_words = f"Overdue by {_plural(late, 'day')}"
        elif late == 0:
            claim.risk_words = "Due today"
        else:
            claim.risk_words = f"Due in {_plural(-late, 'day')}"
    return {
        "at_risk": claims,
        "target_days": settings.PAYMENT_TARGET_DAYS,
        "at_risk_after": settings.PAYMENT_TARGET_DAYS - settings.PAYMENT_AT_RISK_DAYS,
    }


# --- The approval queue ----------------------------------------------------------------------


@role_required(*STAFF)
def claim_queue(request: HttpRequest) -> HttpResponse:
    """Submitted claims, oldest first, with any annual-limit warning; approve the ticked ones."""
    form = ClaimApproveForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            n = services.claims_approve(claims=list(form.cleaned_data["claims"]), by=request.user)
        except ValidationError as exc:
            messages.error(request, "No claims were approved: " + " ".join(exc.messages))
        else:
            messages.success(request, f"{_plural(n, 'claim')} approved.")
        return redirect("payments:claims")

    today = timezone.localdate()
    claims = list(Claim.objects.submitted().select_related("advisor").order_by("created_at", "pk"))
    warnings = services.annual_limit_warnings(claims=claims)
    for claim in claims:
        claim.kind_words = _kind_words(claim)
        claim.days_waiting = (today - timezone.localdate(claim.created_at)).days
        claim.limit_warning = warnings.get(claim.pk, "")
    return render(
        request,
        "payments/staff_claims.html",
        {
            "form": form,
            "claims": claims,
            "total": sum((c.amount for c in claims), ZERO),
            **_at_risk(today),
        },
        status=400 if form.errors else 200,
    )


# --- One claim -------------------------------------------------------------------------------


def _snapshot_rows(snapshot: dict) -> list[dict]:
    rows = []
    for activity, rate in (snapshot or {}).items():
        label = dict(RateCard.Activity.choices).get(activity, activity)
        rows.append({"activity": label, **rate})
    return rows


@role_required(*STAFF)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about a claim, its audit trail, and approve / reject / reverse as its state allows."""
    claim = get_object_or_404(
        Claim.objects.select_related(
            "advisor", "project", "meeting", "batch", "approved_by", "created_by", "reverses"
        ),
        pk=pk,
    )
    reversal = claim.reversals.first()
    can_decide = claim.status == Claim.Status.SUBMITTED
    can_reverse = (
        claim.status == Claim.Status.PAID and claim.reverses_id is None and reversal is None
    )

    action = next((a for a in ("approve", "reject", "reverse") if a in request.POST), None)
    reversing = action == "reverse" or (action is None and can_reverse)
    form = ReasonForm(
        request.POST if action in ("reject", "reverse") else None,
        label="Why is it being corrected?" if reversing else "Reason for rejecting",
        required_message=REVERSE_REASON_REQUIRED if reversing else REJECT_REASON_REQUIRED,
        help_text="This becomes the description of the correcting claim, which the advisor sees."
        if reversing
        else "Only needed to reject. The advisor sees it in their portal.",
    )
    if request.method == "POST":
        if action is None:
            return HttpResponseBadRequest("Choose an action.")
        allowed = {"approve": can_decide, "reject": can_decide, "reverse": can_reverse}[action]
        if not allowed:
            messages.error(
                request,
                f"This claim is {claim.get_status_display().lower()}, so it cannot be "
                f"{PAST_TENSE[action]} now. "
                "Nothing was changed.",
            )
            return redirect("payments:claim", claim.pk)
        if action == "approve" or form.is_valid():
            try:
                reversal = _claim_act(request, claim, action, form)
            except ValidationError as exc:
                messages.error(request, "Nothing was changed: " + " ".join(exc.messages))
                return redirect("payments:claim", claim.pk)
            if action == "reverse":
                return redirect("payments:claim", reversal.pk)
            return redirect("payments:claim", claim.pk)

    return render(
        request,
        "payments/staff_claim.html",
        {
            "claim": claim,
            "kind_words": _kind_words(claim),
            "events": claim.events.select_related("by"),
            "reversal": reversal,
            "snapshot": _snapshot_rows(claim.rate_snapshot),
            "can_decide": can_decide,
            "can_reverse": can_reverse,
            "form": form,
            "action": action,
            "limit_warning": services.annual_limit_warning(
                advisor=claim.advisor, on=claim.activity_date, amount=claim.amount, exclude=claim
            )
            if can_decide
            else "",
        },
        status=400 if form.errors else 200,
    )


def _claim_act(request: HttpRequest, claim: Claim, action: str, form: ReasonForm) -> Claim | None:
    """Call the service for one action on a claim and say what happened."""
    if action == "approve":
        services.claim_approve(claim=claim, by=request.user)
        messages.success(
            request, f"Claim #{claim.pk} approved: £{claim.amount} for {claim.advisor.full_name}."
        )
        return None
    reason = form.cleaned_data["reason"]
    if action == "reject":
        services.claim_reject(claim=claim, by=request.user, reason=reason)
        messages.success(
            request,
            f"Claim #{claim.pk} rejected. {claim.advisor.full_name} will see the reason in their portal.",
        )
        return None
    reversal = services.claim_reverse(claim=claim, by=request.user, reason=reason)
    messages.success(
        request,
        f"Correcting claim #{reversal.pk} created for minus £{-reversal.amount}. It needs approving and "
        "paying like any other claim; the paid claim is unchanged.",
    )
    return reversal


# --- Entering a claim for an advisor ---------------------------------------------------------


@role_required(*STAFF)
def claim_new(request: HttpRequest) -> HttpResponse:
    """A claim taken by phone or on paper: expenses, or time at the rate in force that day."""
    kind = (request.POST if request.method == "POST" else request.GET).get("kind")
    kind = Claim.Kind.TIME if kind == Claim.Kind.TIME else Claim.Kind.EXPENSE
    form_class = StaffTimeForm if kind == Claim.Kind.TIME else StaffExpenseForm
    form = form_class(_posted(request), request.FILES or None)

    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if kind == Claim.Kind.TIME:
                claim, warning = services.claim_time_log(by=request.user, **data)
            else:
                claim, warning = services.claim_expense_submit(by=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"Claim #{claim.pk} entered for {claim.advisor.full_name}: £{claim.amount}. "
                "It is waiting for approval.",
            )
            if warning:
                messages.warning(request, warning)
            return redirect("payments:claim", claim.pk)

    return render(
        request,
        "payments/staff_claim_new.html",
        {"form": form, "kind": kind, "is_time": kind == Claim.Kind.TIME},
        status=400 if form.errors else 200,
    )


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
            f"Batch {batch.reference} built: {_plural(batch.claims.count(), 'claim')}, £{batch.total}. "
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
    batch = get_object_or_404(
        PaymentBatch.objects.select_related("created_by", "approved_by"), pk=pk
    )
    is_builder = batch.created_by_id == request.user.pk
    selected = "mark_selected" in request.POST
    marking = selected or "mark_paid" in request.POST
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
        if form.is_valid():
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
                        request, f"{_plural(changed, 'claim')} marked paid on {paid_on:%d %B %Y}."
                    )
                else:
                    messages.info(request, "No claims changed: they were already marked paid.")
                return redirect("payments:batch", batch.pk)

    claims = list(
        batch.claims.select_related("advisor", "advisor__bank_details").order_by(
            "advisor__last_name", "advisor__first_name", "pk"
        )
    )
    unpaid = [c for c in claims if c.status == Claim.Status.IN_BATCH]
    return render(
        request,
        "payments/staff_batch.html",
        {
            "batch": batch,
            "claims": claims,
            "unpaid": unpaid,
            "n_paid": len(claims) - len(unpaid),
            "form": form,
            "is_builder": is_builder,
            "can_approve": batch.status == PaymentBatch.Status.BUILT and not is_builder,
            "can_export": batch.status == PaymentBatch.Status.APPROVED,
            "can_mark_paid": batch.status != PaymentBatch.Status.BUILT and bool(unpaid),
        },
        status=400 if form.errors else 200,
    )


@role_required(*STAFF)
def batch_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch for the finance system, as CSV or Excel, in the configured columns."""
    batch = get_object_or_404(PaymentBatch, pk=pk)
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
    text = f"{data['name']}: {_plural(changed, 'claim')} marked paid"
    if already:
        text += f"; {already} {'was' if already == 1 else 'were'} already paid"
    messages.success(request, text + ".")
    return redirect("payments:paid-import")


# --- Budgets and time to pay -----------------------------------------------------------------

BUDGET_WORDS = {"over": "Over budget", "near": "Nearly spent: 80% or more", "": "Within budget"}


def _budget_rows(statuses: list[selectors.BudgetStatus]) -> list[dict]:
    return [
        {
            "name": s.name,
            # Sums come straight from the database (SQLite keeps extra places): round for display.
            "budget": s.budget,
            "committed": to_money(s.committed),
            "paid": to_money(s.paid),
            "percent": s.percent,
            "warning": s.warning,
            "words": BUDGET_WORDS[s.warning] if s.budget else "No budget set",
        }
        for s in statuses
    ]


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
        row
        for row in _budget_rows(
            selectors.project_budgets(projects=Project.objects.order_by("title"))
        )
        if row["budget"] is not None or row["committed"]
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
            "central": _budget_rows(selectors.central_budgets(year_starting=year_starting)),
            "year_starting": year_starting,
            "year_ending": datetime.date(year_starting.year + 1, 3, 31),
            "months": months,
            "n_paid": n_paid,
            "share_on_target": round(100 * n_on_target / n_paid) if n_paid else None,
            **_at_risk(today),
        },
    )


@require_POST
@role_required(*STAFF)
def claim_unbatch(request: HttpRequest, pk: int) -> HttpResponse:
    """Finance could not pay this claim: take it out of its batch, back to approved."""
    claim = get_object_or_404(Claim, pk=pk)
    try:
        services.claim_unbatch(claim=claim, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "Nothing was changed: " + " ".join(exc.messages))
    else:
        messages.success(
            request, "The claim is back to approved and will go into the next payment batch."
        )
    return redirect("payments:claim", claim.pk)
