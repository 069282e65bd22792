"""Attendance import (CSV/XLSX): rows are matched by meeting id and advisor email.

This resource only records attendance. The admin imports with payments'
AttendancePayResource, which syncs the claims in the import's transaction, so a failed
import changes nothing and a repeated one adds nothing.
"""

from django.utils import timezone
from import_export import fields

from advisors.models import Advisor
from ascru_pie.lib.imports import LookupWidget, PlainDecimalWidget, RowRefused, SafeModelResource

from .models import Attendance, Invitation, Meeting


class AttendanceResource(SafeModelResource):
    meeting = fields.Field(
        attribute="meeting", column_name="meeting_id", widget=LookupWidget(Meeting, "pk")
    )
    advisor = fields.Field(
        attribute="advisor", column_name="advisor_email", widget=LookupWidget(Advisor, "email")
    )

    class Meta:
        model = Attendance
        fields = ["meeting", "advisor", "status", "minutes_attended", "preparation_hours"]
        import_id_fields = ["meeting", "advisor"]
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The meetings the import touched, for whoever pays for them next.
        self.meetings: set[int] = set()

    def key_words(self, row) -> str:
        return f"meeting {row.get('meeting_id')}, {row.get('advisor_email')}"

    def clean_row(self, row) -> None:
        row["advisor_email"] = str(row.get("advisor_email") or "").strip().lower()
        status = str(row.get("status") or "").strip().lower()
        labels = {label.lower(): value for value, label in Attendance.Status.choices}
        row["status"] = labels.get(status, status)
        if row["status"] not in Attendance.Status.values:
            raise RowRefused(
                f"Status '{row.get('status')}' is not one of: attended, partly, absent."
            )
        if row["status"] != Attendance.Status.PARTLY:
            row["minutes_attended"] = None
        try:
            PlainDecimalWidget().clean(row.get("preparation_hours"))
        except RowRefused:
            raise RowRefused(
                f"Preparation hours '{row.get('preparation_hours')}' is not a number."
            ) from None
        if row.get("preparation_hours") in (None, ""):
            row["preparation_hours"] = "0"

    def before_save_instance(self, instance, row, **kwargs) -> None:
        if not Invitation.objects.filter(
            meeting=instance.meeting, advisor=instance.advisor
        ).exists():
            raise RowRefused(f"{instance.advisor} was not invited to {instance.meeting}.")
        if instance.meeting.status == Meeting.Status.CANCELLED:
            raise RowRefused(f"{instance.meeting} was cancelled.")
        if instance.meeting.starts_at > timezone.now():
            raise RowRefused(f"{instance.meeting} has not happened yet.")
        self.meetings.add(instance.meeting_id)
