from django import forms

from .models import Delivery


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "All reminders"), *Delivery.Status.choices],
        required=False,
        error_messages={"invalid_choice": "Choose what to show from the list."},
    )


class ContactDoneForm(forms.Form):
    """Ticking off a call or letter on the coordinator's list, with what came of it."""

    outcome = forms.CharField(
        label="What came of it (optional)",
        max_length=500,
        required=False,
        help_text="For example: said yes; left a message; letter posted.",
    )
