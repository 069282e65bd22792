from django import forms

from .models import Delivery


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "All reminders"), *Delivery.Status.choices],
        required=False,
        error_messages={"invalid_choice": "Choose what to show from the list."},
    )
