"""Forms for opportunities, expressions of interest and outputs.

They check the shape of input only; who may do what, and whether an opportunity is
still open, is decided in services.py.
"""

from django import forms
from django.utils import timezone
from django.utils.html import format_html

from .models import ExpressionOfInterest, Opportunity, Output, OutputCredit, ProjectAdvisor

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_PLACES = 100


class OpportunityForm(forms.ModelForm):
    class Meta:
        model = Opportunity
        fields = [
            "role",
            "description",
            "starts_on",
            "ends_on",
            "time_commitment",
            "payment",
            "access_information",
            "closing_date",
            "places",
        ]
        labels = {
            "role": "Role",
            "description": "What it involves",
            "starts_on": "Starts on (optional)",
            "ends_on": "Ends on (optional)",
            "time_commitment": "Time commitment",
            "payment": "Payment",
            "access_information": "Access information (optional)",
            "closing_date": "Closing date for expressions of interest",
            "places": "How many advisors you need",
        }
        help_texts = {
            "role": "A short name advisors will recognise, for example “Advisory group member”.",
            "description": "In plain English: what advisors will do and what difference it makes.",
            "time_commitment": "For example: three 2-hour online meetings between April and June.",
            "payment": "For example: paid at NIHR rates, travel and care costs covered.",
            "access_information": (
                "For example: step-free venue, hearing loop, papers in large print on request, "
                "breaks every hour."
            ),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "access_information": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DATE,
            "ends_on": DATE,
            "closing_date": DATE,
        }
        error_messages = {
            "role": {"required": "Enter the role, for example “Advisory group member”."},
            "description": {"required": "Say what the opportunity involves."},
            "time_commitment": {"required": "Say how much time it will take."},
            "payment": {
                "required": "Say how advisors will be paid, for example “paid at NIHR rates”."
            },
            "closing_date": {
                "required": "Enter the closing date for expressions of interest.",
                "invalid": "Enter the closing date as a real date, for example 30/06/2026.",
            },
            "starts_on": {
                "invalid": "Enter the start date as a real date, for example 01/07/2026."
            },
            "ends_on": {"invalid": "Enter the end date as a real date, for example 30/09/2026."},
            "places": {"required": "Enter how many advisors you need, for example 2."},
        }

    def clean_closing_date(self):
        closing = self.cleaned_data["closing_date"]
        if closing and closing < timezone.localdate():
            raise forms.ValidationError("The closing date must be today or in the future.")
        return closing

    def clean_places(self):
        places = self.cleaned_data["places"]
        if places is not None and places < 1:
            raise forms.ValidationError("You need at least one advisor.")
        if places is not None and places > MAX_PLACES:
            raise forms.ValidationError(
                f"An opportunity can have at most {MAX_PLACES} places. For more, post it twice."
            )
        return places

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The end date must be the same as or after the start date.")
        return data


class InterestForm(forms.ModelForm):
    class Meta:
        model = ExpressionOfInterest
        fields = ["note", "support_needed"]
        labels = {
            "note": "Why you are interested (optional)",
            "support_needed": "Support you would need to take part (optional)",
        }
        help_texts = {
            "note": "A few words are enough. You do not have to write anything.",
            "support_needed": (
                "For example: a carer with you, large-print papers, a taxi, breaks, "
                "or help with technology."
            ),
        }
        widgets = {
            "note": forms.Textarea(attrs={"rows": 3}),
            "support_needed": forms.Textarea(attrs={"rows": 3}),
        }


class SelectionForm(forms.Form):
    """Which of the people who expressed interest are chosen (ids of their interests)."""

    selected = forms.TypedMultipleChoiceField(
        coerce=int,
        required=True,
        label="People to select",
        # Rendered by hand in the table; the ids (id_selected_0, ...) match the error summary.
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Tick at least one person to select.",
            "invalid_choice": "One of the people ticked is no longer on the list. Please try again.",
        },
    )

    over_places = forms.BooleanField(
        label="Select more people than there are places", required=False
    )
    over_places_reason = forms.CharField(
        label="Why more people than places (needed if you tick the box above)",
        max_length=250,
        required=False,
        widget=forms.TextInput,
    )
    before_closing = forms.BooleanField(
        label="Select before the closing date, and close the opportunity now", required=False
    )

    def __init__(self, *args, interest_ids: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["selected"].choices = [(pk, pk) for pk in interest_ids]

    def clean(self):
        data = super().clean()
        if data.get("over_places") and not data.get("over_places_reason", "").strip():
            self.add_error(
                "over_places_reason",
                "Say why you are selecting more people than there are places.",
            )
        return data

    def reason(self) -> str:
        """The override reason, only when the box is ticked."""
        if not self.cleaned_data.get("over_places"):
            return ""
        return self.cleaned_data.get("over_places_reason", "")


class UndoSelectionForm(forms.Form):
    reason = forms.CharField(
        label="Why are you undoing the selection?",
        max_length=250,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the selection is being undone."},
        help_text="For example: we ticked the wrong person. This is kept with the decision.",
    )


CREDIT_CHOICES = [("", "None"), *OutputCredit.Credit.choices]


class OutputForm(forms.ModelForm):
    """An output, and a "Credit" choice for each advisor assigned to the project."""

    link = forms.URLField(
        label="Link (optional)",
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={"invalid": "Enter the full link, for example https://example.org/report"},
    )

    class Meta:
        model = Output
        fields = ["kind", "title", "published_on", "link"]
        labels = {
            "kind": "Kind of output",
            "title": "Title",
            "published_on": "Published or presented on (optional)",
        }
        widgets = {"published_on": DATE}
        error_messages = {
            "kind": {"required": "Choose the kind of output, for example “Paper”."},
            "title": {"required": "Enter the title of the output."},
            "published_on": {"invalid": "Enter the date as a real date, for example 15/05/2026."},
        }

    def __init__(
        self,
        *args,
        assignments: list[ProjectAdvisor],
        credits: list[OutputCredit] = (),
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Choose the kind of output"), *Output.Kind.choices]
        given = {c.advisor_id: c for c in credits}
        self.advisors = []
        # The project's advisors, and anyone already credited who has since left the project.
        for advisor in [a.advisor for a in assignments] + [c.advisor for c in credits]:
            # An advisor with two roles on the project is credited once.
            if advisor in self.advisors:
                continue
            self.advisors.append(advisor)
            credit = given.get(advisor.pk)
            self.fields[self.credit_field(advisor.pk)] = forms.ChoiceField(
                label=f"Credit for {advisor.full_name}",
                choices=CREDIT_CHOICES,
                required=False,
                initial=credit.credit if credit else "",
                # Django and crispy render help text as HTML: the name is the public's text.
                help_text=format_html(
                    "Named in outputs as: {}", credit.name if credit else advisor.acknowledged_as()
                ),
            )

    @staticmethod
    def credit_field(advisor_id: int) -> str:
        return f"credit_{advisor_id}"

    def credit_fields(self) -> list[forms.BoundField]:
        return [self[self.credit_field(a.pk)] for a in self.advisors]

    def credits(self) -> dict[int, str]:
        """Advisor id -> credit, for the advisors given one."""
        chosen = {a.pk: self.cleaned_data.get(self.credit_field(a.pk)) for a in self.advisors}
        return {pk: credit for pk, credit in chosen.items() if credit}
