"""Involvement opportunities and choosing who takes part (outputs are in outputs.py).

Researchers and the PIE team post opportunities; the PIE team selects
advisors; advisors see open opportunities in the portal and say they are interested.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from advisors.access import get_advisor_for_user
from ascru_pie.access import role_required
from ascru_pie.lib.forms import posted
from ascru_pie.roles import Role
from ascru_pie.templatetags.words import day_text, plural_text

from .. import services
from ..access import get_opportunity_for_user, get_project_for_user
from ..forms_opportunities import (
    InterestForm,
    OpportunityForm,
    SelectionForm,
    UndoSelectionForm,
)
from ..models import ExpressionOfInterest, Opportunity, SelectionEvent

RESEARCH = (Role.RESEARCHER, Role.PIE_TEAM)

# Once the PIE team has decided, saying "I am interested" again must not undo the decision.
DECIDED = (ExpressionOfInterest.Status.SELECTED, ExpressionOfInterest.Status.NOT_SELECTED)


# --- Researchers and the PIE team ---------------------------------------------------------


@role_required(*RESEARCH)
def opportunity_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Post an opportunity for a project: its researchers, or the PIE team for any project."""
    project = get_project_for_user(request, pk)
    form = OpportunityForm(posted(request))
    if request.method == "POST":
        if form.is_valid():
            opportunity = form.save(commit=False)
            opportunity.project = project
            opportunity.posted_by = request.user
            opportunity.save()
            messages.success(
                request,
                f"The opportunity “{opportunity.role}” is posted. Advisors can see it in their "
                f"portal until {day_text(opportunity.closing_date)}.",
            )
            return redirect("projects:detail", project.pk)
        messages.error(
            request, "The opportunity has not been posted. Please check the messages below."
        )
    return render(
        request,
        "projects/opportunity_form.html",
        {"project": project, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(Role.PIE_TEAM)
def opportunity_select(request: HttpRequest, pk: int) -> HttpResponse:
    """Everyone who is interested, least recently involved first, to share roles fairly.

    Selecting more people than places needs a ticked override and a reason; selecting before
    the closing date needs a ticked confirmation. Those who do not use email are listed to
    phone or write to, with a button to tick each call off.
    """
    opportunity, _ = get_opportunity_for_user(request, pk)
    interests = list(
        opportunity.interests.exclude(status=ExpressionOfInterest.Status.WITHDRAWN)
        .select_related("advisor")
        .prefetch_related("advisor__lived_experience")
    )
    form = SelectionForm(posted(request), interest_ids=[i.pk for i in interests])
    if request.method == "POST" and form.is_valid():
        try:
            result = services.interest_select(
                opportunity=opportunity,
                selected_ids=form.cleaned_data["selected"],
                by=request.user,
                over_places_reason=form.reason(),
                before_closing_ok=form.cleaned_data["before_closing"],
            )
        except services.SelectionRefused as exc:
            field = {"over_places": "over_places", "selected": "selected"}.get(
                exc.code, "before_closing"
            )
            form.add_error(field, " ".join(exc.messages))
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _selection_words(opportunity, result))
            return redirect("projects:opportunity-select", opportunity.pk)

    involvement = services.advisor_involvement_last_year(
        advisor_ids=[i.advisor_id for i in interests]
    )
    for interest in interests:
        interest.involvement = involvement.get(interest.advisor_id, 0)
    # Stable sort: equal involvement keeps the order people said they were interested. People
    # who have left (no tick box) go last, so the first tick box is the error summary's link.
    interests.sort(key=lambda i: (not i.advisor.can_take_part, i.involvement))
    if form.is_bound:
        ticked = {int(v) for v in form.data.getlist("selected") if v.isdigit()}
    else:
        ticked = {i.pk for i in interests if i.status == ExpressionOfInterest.Status.SELECTED}
    n_selected = sum(i.status == ExpressionOfInterest.Status.SELECTED for i in interests)
    to_tell = [
        i
        for i in interests
        if i.status in ExpressionOfInterest.DECIDED
        and i.told_at is None
        and i.told_how != ExpressionOfInterest.ToldHow.EMAIL
        and i.told_how
    ]
    return render(
        request,
        "projects/opportunity_select.html",
        {
            "opportunity": opportunity,
            "interests": interests,
            "ticked": ticked,
            "form": form,
            "n_selected": n_selected,
            "n_decided": sum(i.status in ExpressionOfInterest.DECIDED for i in interests),
            "to_tell": to_tell,
            "events": SelectionEvent.objects.filter(interest__opportunity=opportunity)
            .select_related("interest__advisor", "by")
            .order_by("-at", "-pk")[:20],
        },
        status=400 if form.errors else 200,
    )


def _selection_words(opportunity: Opportunity, result: services.Selection) -> str:
    names = ", ".join(i.advisor.full_name for i in result.selected) or "nobody"
    words = [
        f"Selected: {names}. They are assigned to the project as “{opportunity.role}”; "
        "everyone else who was interested is marked not selected, and the opportunity is closed."
    ]
    if result.emailed:
        words.append(f"{plural_text(len(result.emailed), 'person,people')} emailed the decision.")
    if not result.emailed and not result.to_tell_by_hand:
        words.append("Nothing has changed, so nobody has been told anything new.")
    if result.to_tell_by_hand:
        words.append(
            f"{plural_text(len(result.to_tell_by_hand), 'person,people')} to phone or write to: "
            "see “People to tell by phone or post” below."
        )
    return " ".join(words)


@role_required(Role.PIE_TEAM)
def opportunity_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a selection (with a reason, kept in the audit), to select again."""
    opportunity, _ = get_opportunity_for_user(request, pk)
    n_decided = opportunity.interests.filter(status__in=ExpressionOfInterest.DECIDED).count()
    if not n_decided:
        messages.info(request, "Nobody has been selected yet, so there is nothing to undo.")
        return redirect("projects:opportunity-select", opportunity.pk)
    form = UndoSelectionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            n = services.selection_undo(
                opportunity=opportunity, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error("reason", " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"The selection is undone: {plural_text(n, 'person is,people are')} back to "
                "“interested” and the project roles it gave are removed. Nobody has been told "
                "yet: when you select again, everyone is told their new outcome.",
            )
            return redirect("projects:opportunity-select", opportunity.pk)
    return render(
        request,
        "projects/opportunity_undo.html",
        {"opportunity": opportunity, "form": form, "n_decided": n_decided},
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(Role.PIE_TEAM)
def interest_told(request: HttpRequest, pk: int, interest_pk: int) -> HttpResponse:
    """Tick off a call or letter telling an advisor the decision."""
    opportunity, _ = get_opportunity_for_user(request, pk)
    interest = get_object_or_404(
        ExpressionOfInterest.objects.select_related("advisor"),
        pk=interest_pk,
        opportunity=opportunity,
    )
    if services.interest_mark_told(interest=interest, by=request.user):
        messages.success(
            request, f"Recorded: {interest.advisor.full_name} has been told the decision."
        )
    else:
        messages.info(request, f"{interest.advisor.full_name} was already told the decision.")
    return redirect("projects:opportunity-select", opportunity.pk)


# --- Advisor portal -----------------------------------------------------------------------


def _closing_soon_first(opportunities) -> list[Opportunity]:
    return sorted(opportunities, key=lambda o: (o.closing_date, o.pk))


@role_required(Role.ADVISOR)
def portal_opportunity_list(request: HttpRequest) -> HttpResponse:
    """Open opportunities, and the ones the advisor answered that have since closed."""
    advisor = get_advisor_for_user(request)
    interests = {
        i.opportunity_id: i
        for i in ExpressionOfInterest.objects.filter(advisor=advisor).select_related(
            "opportunity__project"
        )
    }
    open_opportunities = list(Opportunity.objects.open().select_related("project"))
    open_ids = {o.pk for o in open_opportunities}
    closed = _closing_soon_first(
        i.opportunity for i in interests.values() if i.opportunity_id not in open_ids
    )
    return render(
        request,
        "projects/portal_opportunity_list.html",
        {
            # Each with what the advisor said about it, if anything.
            "opportunities": [(o, interests.get(o.pk)) for o in open_opportunities],
            "closed": [(o, interests[o.pk]) for o in closed],
        },
    )


@role_required(Role.ADVISOR)
def portal_opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One opportunity: say you are interested, change what you said, or withdraw."""
    advisor = get_advisor_for_user(request)
    opportunity, interest = get_opportunity_for_user(request, pk, advisor=advisor)
    is_open = opportunity.is_open

    form = InterestForm(posted(request), instance=interest)
    if request.method == "POST":
        if "withdraw" in request.POST:
            if interest is None or interest.status == ExpressionOfInterest.Status.WITHDRAWN:
                messages.info(
                    request,
                    "You had not said you were interested, so there is nothing to withdraw.",
                )
                return redirect("projects:portal-opportunity", pk)
            try:
                services.interest_withdraw(interest=interest)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request, "You have withdrawn your interest. Thank you for letting us know."
                )
            return redirect("projects:portal-opportunity", pk)
        if not advisor.can_take_part:
            messages.error(
                request,
                "Your place on the register has ended, so you cannot say you are interested. "
                "Please contact the Involvement Coordinator if you would like to rejoin.",
            )
            return redirect("projects:portal-opportunity", pk)
        if interest is not None and interest.status in DECIDED:
            messages.error(
                request,
                "The Involvement Coordinator has already made a decision about this opportunity. "
                "Please contact them if anything has changed.",
            )
            return redirect("projects:portal-opportunity", pk)
        if form.is_valid():
            try:
                services.interest_express(
                    opportunity=opportunity,
                    advisor=advisor,
                    note=form.cleaned_data["note"],
                    support_needed=form.cleaned_data["support_needed"],
                )
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    "Thank you. We have your expression of interest. "
                    "The Involvement Coordinator will let you know what happens next.",
                )
                return redirect("projects:portal-opportunity", pk)

    return render(
        request,
        "projects/portal_opportunity_detail.html",
        {
            "opportunity": opportunity,
            "interest": interest,
            "is_open": is_open,
            "can_express": is_open
            and advisor.can_take_part
            and (interest is None or interest.status not in DECIDED),
            "has_left": not advisor.can_take_part,
            "can_withdraw": interest is not None
            and interest.status == ExpressionOfInterest.Status.INTERESTED,
            "form": form,
        },
        status=400 if form.errors else 200,
    )
