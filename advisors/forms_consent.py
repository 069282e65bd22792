"""The advisor's own choice about being contacted (portal)."""

from django import forms


class ContactConsentForm(forms.Form):
    contact = forms.TypedChoiceField(
        label="Can we contact you about taking part?",
        choices=[
            ("yes", "Yes, you can contact me about meetings, surveys and other ways to take part"),
            ("no", "No, please stop contacting me about taking part"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no."},
    )
