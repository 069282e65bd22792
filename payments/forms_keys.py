"""The one-time key that every form writing money carries (STYLE rule 14).

The key is made when the form is shown and comes back with it. The service stores it, under a
unique constraint, with what the form made (a claim, a change of bank details), inside the
transaction that makes it. So the same form sent twice (a double click, a reload, a retry,
a hundred impatient clicks) makes one claim, and the second sending finds the first; two
forms filled in the same way make two claims. The "Submit anyway" step after an annual-limit
warning is the same form sent again, so it carries the same key.

A post without a key (every form we render has one) is taken as a new submission each time.
"""

import uuid

from django import forms


def new_key() -> str:
    return str(uuid.uuid4())


class SubmissionKeyForm(forms.Form):
    submission_key = forms.CharField(required=False, widget=forms.HiddenInput, initial=new_key)

    def clean_submission_key(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.cleaned_data["submission_key"])
        except ValueError:
            return None
