"""The PIE team's meeting pages: the list, one meeting's live roster (and its CSV) with
answers told by phone, post or in person, deciding and publishing the agenda, and cancelling.

Inviting, recording an answer told by phone or post, and cancelling are in reminders.views
(they fill or tidy the call/post list).

Scheduling and editing a meeting happen in the admin; these pages link to it.
"""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ascru_pie.access import role_required
from ascru_pie.lib.exports import cell_safe
from ascru_pie.lib.paging import page_of
from ascru_pie.models import User
from ascru_pie.roles import Role
from ascru_pie.templatetags.words import plural_text

from .. import services
from ..access import get_meeting_for_user
from ..forms_staff import AgendaDecisionForm, AgendaProposeForm, MeetingFilterForm, RSVPRecordForm
from ..models import AgendaItem, Invitation, Meeting

ROSTER_CSV_HEADER = [
    "Name",
    "Email",
    "Phone",
    "Preferred contact",
    "Answer",
    "Needs for this meeting",
    "Standing support needs",
    "Enhanced support",
]


# --- The list -------------------------------------------------------------------------------

MEETINGS_PER_PAGE = 25


def _invited(rsvp: str | None = None) -> Coalesce:
    """How many are invited to the meeting (who gave this answer, if given), as a subquery."""
    invitations = Invitation.objects.filter(meeting=OuterRef("pk"))
    if rsvp is not None:
        invitations = invitations.filter(rsvp=rsvp)
    n = invitations.order_by().values("meeting").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(n), 0)


@role_required(Role.PIE_TEAM)
def meeting_list(request: HttpRequest) -> HttpResponse:
    """Upcoming (or past) meetings with how many were invited and what they answered."""
    # Always bound: no filters is a valid choice, meaning upcoming meetings of every kind.
    form = MeetingFilterForm(request.GET)
    form.is_valid()
    # An invalid filter is shown as an error and left out; the valid ones still apply.
    filters = form.cleaned_data
    past = filters.get("when") == MeetingFilterForm.PAST
    meetings = Meeting.objects.past() if past else Meeting.objects.upcoming()
    if filters.get("type"):
        meetings = meetings.filter(type=filters["type"])
    if filters.get("project"):
        meetings = meetings.filter(project=filters["project"])
    # Counted per meeting by subqueries, so counting the pages never joins the invitations.
    page, page_range = page_of(
        request,
        meetings.select_related("project").annotate(
            n_invited=_invited(),
            n_yes=_invited(Invitation.RSVP.YES),
            n_maybe=_invited(Invitation.RSVP.MAYBE),
            n_no=_invited(Invitation.RSVP.NO),
        ),
        MEETINGS_PER_PAGE,
    )
    meetings = list(page.object_list)

    with_advisor, held = services.management_presence_share()
    return render(
        request,
        "meetings/staff_list.html",
        {
            "form": form,
            "meetings": meetings,
            "page": page,
            "page_range": page_range,
            "past": past,
            "presence": {
                "with_advisor": with_advisor,
                "held": held,
                "percent": round(100 * with_advisor / held) if held else None,
            },
        },
    )


# --- One meeting ----------------------------------------------------------------------------


@role_required(Role.PIE_TEAM)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting and its live roster: answers, needs for this meeting and standing needs,
    with a control on each row to record an answer given by phone, post or in person."""
    meeting = get_meeting_for_user(request, pk)
    return render_detail(request, meeting)


def render_detail(
    request: HttpRequest,
    meeting: Meeting,
    *,
    bound: RSVPRecordForm | None = None,
    status: int = 200,
) -> HttpResponse:
    # Queries: the invitations with their advisors and who entered each answer (one query).
    invitations = list(meeting.invitations.select_related("advisor", "answered_by"))
    counts = dict.fromkeys(Invitation.RSVP.values, 0)
    rows = []
    for invitation in invitations:
        counts[invitation.rsvp] += 1
        form = bound if bound is not None and bound.invitation.pk == invitation.pk else None
        rows.append((invitation, _record_controls(invitation, form)))
    is_cancelled = meeting.status == Meeting.Status.CANCELLED
    return render(
        request,
        "meetings/staff_detail.html",
        {
            "meeting": meeting,
            "invitations": invitations,
            "rows": rows,
            "rsvp_error": bound,
            "counts": {
                "yes": counts[Invitation.RSVP.YES],
                "maybe": counts[Invitation.RSVP.MAYBE],
                "no": counts[Invitation.RSVP.NO],
                "pending": counts[Invitation.RSVP.PENDING],
            },
            "is_cancelled": is_cancelled,
            # Cancelled by changing the status in the admin: no one has been told yet.
            "cancelled_untold": is_cancelled and meeting.cancellation_notified_at is None,
        },
        status=status,
    )


RECORD_FIELDS = [
    # (field, visible label, a first "Choose" option)
    ("rsvp", "Answer", True),
    ("how", "Told us", False),
]


def _record_controls(invitation: Invitation, form: RSVPRecordForm | None) -> SafeString:
    """The two selects on a roster row for an answer told by phone, post or in person.

    Written here rather than by a form and a template loop per row: a big meeting has a
    hundred rows, and a hundred forms were most of the page's time. Same markup as the form
    would give (RSVPRecordForm's names, ids, choices and errors); `form` is the one row whose
    answer was just sent with a mistake, shown with its errors.
    """
    initial = {"rsvp": "" if invitation.rsvp == Invitation.RSVP.PENDING else invitation.rsvp}
    name = invitation.advisor.full_name
    controls = []
    for field_name, label, blank in RECORD_FIELDS:
        field = RSVPRecordForm.base_fields[field_name]
        if form is not None:
            bound = form[field_name]
            chosen, errors, field_id = bound.value(), bound.errors, bound.id_for_label
        else:
            chosen, errors, field_id = (
                initial.get(field_name),
                [],
                f"inv-{invitation.pk}-{field_name}",
            )
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (value, " selected" if str(value) == str(chosen or "") else "", text)
                for value, text in ([("", "Choose")] if blank else []) + list(field.choices)
            ),
        )
        controls.append(
            format_html(
                '<div class="mb-2"><label class="form-label small" for="{id}">{label}'
                '<span class="visually-hidden"> ({name})</span></label>'
                '<select name="{field}" id="{id}" class="form-select form-select-sm{invalid}"'
                "{described}>{options}</select>{error}</div>",
                id=field_id,
                label=label,
                name=name,
                field=field_name,
                invalid=" is-invalid" if errors else "",
                described=(
                    format_html(' aria-describedby="{}-error" aria-invalid="true"', field_id)
                    if errors
                    else ""
                ),
                options=options,
                error=(
                    format_html(
                        '<div class="invalid-feedback d-block" id="{}-error">{}</div>',
                        field_id,
                        " ".join(errors),
                    )
                    if errors
                    else ""
                ),
            )
        )
    return format_html_join("", "{}", ((c,) for c in controls))


@role_required(Role.PIE_TEAM)
def roster_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The roster as a spreadsheet. Contact details and needs only: never equality data."""
    meeting = get_meeting_for_user(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}-roster.csv"'
    # A byte-order mark, so that Excel reads the names as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(ROSTER_CSV_HEADER)
    for invitation in meeting.invitations.select_related("advisor"):
        advisor = invitation.advisor
        row = [
            advisor.full_name,
            advisor.email,
            advisor.phone,
            advisor.get_contact_method_display(),
            invitation.roster_answer_words,
            invitation.needs,
            advisor.support_needs,
            "Yes" if advisor.enhanced_support else "No",
        ]
        writer.writerow([cell_safe(value) for value in row])
    return response


# --- Answers told to the PIE team -------------------------------------------------------------

# Inviting lives one layer up (reminders.views.meeting_invite), because inviting people who
# prefer phone or post puts them on the reminders call/post list.


# Recording an answer told by phone, post or in person is reminders.views.rsvp_record (it ticks
# off the matching call or letter on the call/post list).


# --- The agenda -----------------------------------------------------------------------------


@role_required(Role.PIE_TEAM)
def agenda_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """Decide on proposed items (all rows saved together, or none), publish, or propose one."""
    meeting = get_meeting_for_user(request, pk)
    items = list(meeting.agenda_items.select_related("proposed_by"))
    # What is saved now, taken before any decision is tried: a failed save is rolled back in
    # the database, but the service has already changed the items in memory.
    current = {item.pk: item.get_status_display() for item in items}
    accepted = [
        {"title": item.title, "speaker": item.speaker}
        for item in items
        if item.status == AgendaItem.Status.ACCEPTED
    ]
    action = request.POST.get("action") if request.method == "POST" else None

    decision_forms = [
        AgendaDecisionForm(
            # An item proposed after the page was loaded is not in the POST: leave it alone.
            request.POST
            if action == "decide" and f"item-{item.pk}-status" in request.POST
            else None,
            item=item,
            prefix=f"item-{item.pk}",
        )
        for item in items
    ]
    propose_form = AgendaProposeForm(request.POST if action == "propose" else None)

    if action == "decide":
        bound = [form for form in decision_forms if form.is_bound]
        if all(form.is_valid() for form in bound) and _agenda_decide(
            meeting, bound, by=request.user
        ):
            messages.success(
                request, f"Agenda decisions saved for {plural_text(len(bound), 'item')}."
            )
            return redirect("meetings:agenda", meeting.pk)
        messages.error(request, "Nothing was saved. Please check the items marked below.")
    elif action == "publish":
        services.agenda_publish(meeting=meeting, by=request.user)
        undecided = sum(item.status == AgendaItem.Status.PROPOSED for item in items)
        text = "The agenda is published: invitees can now see the accepted items."
        if undecided:
            text += f" {plural_text(undecided, 'item')} still {'has' if undecided == 1 else 'have'} no decision."
        messages.success(request, text)
        return redirect("meetings:agenda", meeting.pk)
    elif action == "propose" and propose_form.is_valid():
        try:
            item = services.agenda_propose(
                meeting=meeting, by=request.user, **propose_form.cleaned_data
            )
        except ValidationError as exc:
            propose_form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, f"“{item.title}” is added to the proposed items.")
            return redirect("meetings:agenda", meeting.pk)

    decision_errors = any(form.errors for form in decision_forms)
    return render(
        request,
        "meetings/staff_agenda.html",
        {
            "meeting": meeting,
            "rows": [(form, current[form.item.pk]) for form in decision_forms],
            "decision_forms": decision_forms,
            "decision_errors": decision_errors,
            "propose_form": propose_form,
            "accepted": accepted,
        },
        status=400 if decision_errors or propose_form.errors else 200,
    )


def _agenda_decide(meeting: Meeting, forms: list[AgendaDecisionForm], *, by: User) -> bool:
    """Save every row's decision, or none; a refused row gets its reasons next to it."""
    decisions = [services.AgendaDecision(item=form.item, **form.cleaned_data) for form in forms]
    try:
        services.agenda_decide_many(meeting=meeting, decisions=decisions, by=by)
    except ValidationError as exc:
        for form in forms:
            if form.item.pk in exc.message_dict:
                # Next to the reason: the service's rules are all about what a decision needs.
                form.add_error("reason", " ".join(exc.message_dict[form.item.pk]))
        return False
    return True


# --- Cancelling -----------------------------------------------------------------------------

# Cancelling is reminders.views.meeting_cancel: it puts invitees who have no email address on
# the call/post list and takes the meeting's invitation calls off it.
