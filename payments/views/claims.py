"""Staff claim pages (PIE team and finance): the approval queue, one claim, a claim entered
on an advisor's behalf, and taking a claim out of a batch finance could not pay.

Every change of money or status goes through payments.services, which locks and re-checks
the rows; these views parse the request, call the service and say what happened.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ascru_pie.access import role_required
from ascru_pie.lib.forms import posted
from ascru_pie.lib.money import ZERO, to_money
from ascru_pie.lib.paging import page_of
from ascru_pie.templatetags.words import plural_text, pounds_text
from projects.models import Project
from rates.models import RateCard

from .. import selectors, services
from ..access import STAFF, get_claim_for_user
from ..forms_staff import (
    ClaimApproveForm,
    ReasonForm,
    StaffExpenseForm,
    StaffTimeForm,
)
from ..models import Claim

REJECT_REASON_REQUIRED = "Give a reason: the advisor will see it."
REVERSE_REASON_REQUIRED = "Say why the claim is being corrected."
PAST_TENSE = {"approve": "approved", "reject": "rejected", "reverse": "reversed"}


# --- The approval queue ----------------------------------------------------------------------


# Claims shown on one page of the queue: enough to approve a morning's post in one go.
QUEUE_PER_PAGE = 50


def _queue_filter(request: HttpRequest) -> selectors.QueueFilter:
    """The state, project and advisor asked for in the query string; anything unknown is
    ignored (the state falls back to submitted)."""
    states = {value for value, _ in selectors.QUEUE_STATES}
    status = request.GET.get("status", "")
    project = request.GET.get("project", "")
    return selectors.QueueFilter(
        status=status if status in states else Claim.Status.SUBMITTED,
        project_id=int(project) if project.isdigit() else None,
        advisor=request.GET.get("advisor", "").strip()[:100],
    )


@role_required(*STAFF)
def claim_queue(request: HttpRequest) -> HttpResponse:
    """Claims by state (submitted ones by default, oldest first), a page at a time, with the
    number in each state and any annual-limit warning; approve the ticked ones."""
    form = ClaimApproveForm(posted(request))
    overruns, chosen = [], []
    back = reverse("payments:claims") + (f"?{request.GET.urlencode()}" if request.GET else "")
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["claims"])
        # Past 100% of a budget is the approver's call: say so and ask, never block.
        if not request.POST.get("confirm_budget"):
            overruns = selectors.budget_overruns(claims=chosen)
    if request.method == "POST" and form.is_valid() and not overruns:
        try:
            done = services.claims_approve(claims=chosen, by=request.user)
        except ValidationError as exc:
            messages.error(request, "No claims were approved: " + " ".join(exc.messages))
        else:
            if done.approved or not done.skipped:
                messages.success(request, f"{plural_text(done.approved, 'claim')} approved.")
            for claim, reason in done.skipped:
                messages.warning(request, f"Claim #{claim.pk} was not approved. {reason}")
        return redirect(back)

    today = timezone.localdate()
    shown = _queue_filter(request)
    figures = selectors.claim_queue_counts(chosen=shown, today=today)
    page, page_range = page_of(
        request, selectors.claim_queue(chosen=shown, today=today), QUEUE_PER_PAGE
    )
    claims = list(page)
    warnings = services.annual_limit_warnings(claims=claims, reader=request.user)
    for claim in claims:
        claim.days_waiting = (today - timezone.localdate(claim.created_at)).days
        claim.limit_warning = warnings.get(claim.pk, "")
        claim.approval_refused = claim.approval_refused_for(request.user)
    labels = dict(selectors.QUEUE_STATES)
    return render(
        request,
        "payments/staff_claims.html",
        {
            "form": form,
            "claims": claims,
            "page": page,
            "page_range": page_range,
            "shown": shown,
            "shown_label": labels[shown.status],
            "approving": shown.status == Claim.Status.SUBMITTED,
            "oldest_first": shown.status in selectors.QUEUE_OLDEST_FIRST,
            "states": [
                {"value": value, "label": label, "count": figures.get(value)}
                for value, label in selectors.QUEUE_STATES
            ],
            "projects": Project.objects.order_by("title").values_list("pk", "title"),
            "figures": figures,
            "total": figures["submitted_total"],
            "overruns": overruns,
            "chosen": [c.pk for c in chosen],
            "chosen_total": to_money(sum((c.amount for c in chosen), ZERO)),
            **selectors.claims_at_risk_summary(today=today),
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
    claim, _ = get_claim_for_user(
        request,
        pk,
        related=("advisor", "project", "meeting", "batch", "approved_by", "created_by", "reverses"),
    )
    reversal = claim.reversals.first()
    can_decide = claim.status == Claim.Status.SUBMITTED
    can_reverse = (
        claim.status == Claim.Status.PAID and claim.reverses_id is None and reversal is None
    )

    action = next((a for a in ("approve", "reject", "reverse") if a in request.POST), None)
    overruns = []
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
        # Past 100% of a budget is the approver's call: the page below asks them to confirm.
        if action == "approve" and not request.POST.get("confirm_budget"):
            overruns = selectors.budget_overruns(claims=[claim])
        if not overruns and (action == "approve" or form.is_valid()):
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
            "overruns": overruns,
            "support": selectors.support_budget_status(
                advisor=claim.advisor, on=claim.activity_date
            ),
            "events": claim.events.select_related("by"),
            "reversal": reversal,
            "snapshot": _snapshot_rows(claim.rate_snapshot),
            "can_decide": can_decide,
            "can_reverse": can_reverse,
            "approval_refused": claim.approval_refused_for(request.user) if can_decide else "",
            "form": form,
            "action": action,
            "limit_warning": services.annual_limit_warning(
                advisor=claim.advisor,
                on=claim.activity_date,
                amount=claim.amount,
                kind=claim.kind,
                exclude=claim,
                reader=request.user,
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
            request,
            f"Claim #{claim.pk} approved: {pounds_text(claim.amount)} for {claim.advisor.full_name}.",
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
        f"Correcting claim #{reversal.pk} created for minus {pounds_text(-reversal.amount)}. "
        "It needs approving and "
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
    form = form_class(posted(request), request.FILES or None)

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
                f"Claim #{claim.pk} entered for {claim.advisor.full_name}: {pounds_text(claim.amount)}. "
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


@require_POST
@role_required(*STAFF)
def claim_unbatch(request: HttpRequest, pk: int) -> HttpResponse:
    """Finance could not pay this claim: take it out of its batch, back to approved."""
    claim, _ = get_claim_for_user(request, pk)
    try:
        services.claim_unbatch(claim=claim, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "Nothing was changed: " + " ".join(exc.messages))
    else:
        messages.success(
            request, "The claim is back to approved and will go into the next payment batch."
        )
    return redirect("payments:claim", claim.pk)
