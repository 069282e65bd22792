"""The one form of erasure: the PIE team confirms they understand it cannot be undone."""

from django import forms


class ErasureConfirmForm(forms.Form):
    understood = forms.BooleanField(
        label="I understand that this cannot be undone",
        error_messages={
            "required": "Tick the box to confirm you understand this cannot be undone."
        },
    )
