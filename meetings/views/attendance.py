"""Recording attendance after a meeting: one screen for all invitees; confirming syncs claims."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ascru_pie.access import role_required
from ascru_pie.roles import Role

from .. import services
from ..access import get_meeting_for_user
from ..forms_attendance import AttendanceFormSet, PresenceForm
from ..models import Meeting


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
        rows = [services.AttendanceRow(**form.cleaned_data) for form in formset]
        try:
            results = services.attendance_confirm(meeting=meeting, rows=rows, by=request.user)
        except ValidationError as exc:
            messages.error(request, "Nothing was saved: " + " ".join(exc.messages))
        else:
            if meeting.type == Meeting.Type.MANAGEMENT:
                meeting.pie_lead_present = presence.cleaned_data["pie_lead_present"]
                meeting.save(update_fields=["pie_lead_present"])
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
            return redirect("meetings:attendance", pk)
    elif request.method == "POST":
        messages.error(request, "Nothing was saved. Please check the rows marked below.")
    rows = [
        {"form": form, "invitation": inv, "attendance": existing.get(inv.advisor_id)}
        for form, inv in zip(formset.forms, invitations, strict=False)
    ]
    return render(
        request,
        "meetings/attendance.html",
        {
            "meeting": meeting,
            "formset": formset,
            "rows": rows,
            "presence": presence,
            "is_management": meeting.type == Meeting.Type.MANAGEMENT,
        },
        status=400 if request.method == "POST" else 200,
    )
