"""Attendance becomes money: the one place that calls meetings and payments together.

The pattern for every trigger that crosses layers: the higher layer's service orchestrates
(it calls the lower layer's service, then its own), and views or tasks of the higher layer
call it. Lower layers never import upwards.
"""

from django.db import transaction

from ascru_pie.models import User
from meetings.models import Attendance, Meeting
from meetings.services import AttendanceRow, attendance_confirm

from .claims import ClaimOutcome, claim_sync_for_attendance


def attendance_confirm_and_pay(
    *,
    meeting: Meeting,
    rows: list[AttendanceRow],
    by: User,
    pie_lead_present: bool | None = None,
) -> list[tuple[Attendance, ClaimOutcome]]:
    """Record attendance, then make each advisor's one time claim match it. All or nothing."""
    with transaction.atomic():
        attendances = attendance_confirm(
            meeting=meeting, rows=rows, by=by, pie_lead_present=pie_lead_present
        )
        return [(a, claim_sync_for_attendance(attendance=a, by=by)) for a in attendances]
