"""Recording attendance after a meeting: one screen for all invitees; confirming syncs claims.

A payments page (though it starts from a meeting): confirming attendance pays for it, so it
calls payments.services.attendance_confirm_and_pay, which calls the meetings service.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ascru_pie.access import role_required
from ascru_pie.roles import Role
from meetings.access import get_meeting_for_user
from meetings.forms_attendance import AttendanceFormSet, PresenceForm
from meetings.models import Meeting
from meetings.services import AttendanceRow

from ..services.attendance import attendance_confirm_and_pay


@role_required(Role.PIE_TEAM)
def attendance_record(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk)
    invitations = list(meeting.invitations.select_related("advisor"))
    existing = {a.advisor_id: a for a in meeting.attendances.select_related("claim")}
    initial = [
        {
            "advisor_id": inv.advisor_id,
            "status": existing[inv.advisor_id].status
            if inv.advisor_id in existing
            else ("attended" if inv.rsvp == "yes" else "absent"),
            "minutes_attended": existing[inv.advisor_id].minutes_attended
            if inv.advisor_id in existing
            else None,
            "preparation_hours": existing[inv.advisor_id].preparation_hours
            if inv.advisor_id in existing
            else meeting.preparation_hours,
        }
        for inv in invitations
    ]
    posted = request.POST if request.method == "POST" else None
    formset = AttendanceFormSet(posted, initial=initial, prefix="att")
    presence = PresenceForm(posted, initial={"pie_lead_present": meeting.pie_lead_present})
    if request.method == "POST" and formset.is_valid() and presence.is_valid():
        rows = [AttendanceRow(**form.cleaned_data) for form in formset]
        try:
            results = attendance_confirm_and_pay(
                meeting=meeting,
                rows=rows,
                by=request.user,
                pie_lead_present=presence.cleaned_data["pie_lead_present"],
            )
        except ValidationError as exc:
            messages.error(request, "Nothing was saved: " + " ".join(exc.messages))
        else:
            locked = [a for a, outcome in results if outcome.outcome == "locked"]
            counts: dict[str, int] = {}
            for _, outcome in results:
                counts[outcome.message] = counts.get(outcome.message, 0) + 1
            messages.success(
                request,
                "Attendance saved. " + "; ".join(f"{n} × {m}" for m, n in counts.items()) + ".",
            )
            for attendance in locked:
                messages.warning(
                    request,
                    f"{attendance.advisor.full_name}'s claim is already paid or in a payment batch, so it was "
                    "not changed. If the amount is wrong, ask finance for a reversing claim.",
                )
            return redirect("payments:attendance", pk)
    elif request.method == "POST":
        messages.error(request, "Nothing was saved. Please check the rows marked below.")
    rows = [
        {"form": form, "invitation": inv, "attendance": existing.get(inv.advisor_id)}
        for form, inv in zip(formset.forms, invitations, strict=False)
    ]
    return render(
        request,
        "payments/attendance.html",
        {
            "meeting": meeting,
            "formset": formset,
            "rows": rows,
            "presence": presence,
            "is_management": meeting.type == Meeting.Type.MANAGEMENT,
        },
        status=400 if request.method == "POST" else 200,
    )
