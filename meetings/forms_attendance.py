from decimal import Decimal

from django import forms

from .models import Attendance


class AttendanceForm(forms.Form):
    """One invitee's row on the attendance screen."""

    advisor_id = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=Attendance.Status.choices, label="Attendance")
    minutes_attended = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=24 * 60,
        label="Minutes attended (if part)",
        error_messages={"min_value": "Enter the minutes they were there, 1 or more."},
    )
    preparation_hours = forms.DecimalField(
        min_value=Decimal("0"),
        max_value=Decimal("24"),
        decimal_places=2,
        label="Preparation hours",
        error_messages={"invalid": "Enter hours as a number, like 1.5."},
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("status") == Attendance.Status.PARTLY and not data.get("minutes_attended"):
            self.add_error(
                "minutes_attended", "For part attendance, enter how many minutes they were there."
            )
        return data


AttendanceFormSet = forms.formset_factory(AttendanceForm, extra=0)


class PresenceForm(forms.Form):
    pie_lead_present = forms.BooleanField(required=False, label="A PIE lead was present")
