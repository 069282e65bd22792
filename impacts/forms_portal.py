"""Forms for the advisor portal's impact pages: a reflection on an impact, and a feedback survey.

They check the shape of input only. Whether the advisor contributed to the impact, whether
the survey is open and whether they have already answered it are decided in services.py.
"""

from django import forms

from .models import SurveyResponse

REFLECTION_MAX_LENGTH = 5000

Scale = SurveyResponse.Scale
Again = SurveyResponse.Again

# "Does not apply" is a real choice: once a radio is chosen it cannot be un-chosen, so someone
# who clicks by mistake still needs a way to say "I was not paid". Its value is not "", which
# Django would show as already chosen on an empty form.
NOT_PAID = "not_paid"
PAID_CHOICES = [*Scale.choices, (NOT_PAID, "This does not apply to me: I was not paid")]


def _paid_answer(value: str) -> int | None:
    return None if value == NOT_PAID else int(value)


class ReflectionForm(forms.Form):
    text = forms.CharField(
        label="Your reflection",
        max_length=REFLECTION_MAX_LENGTH,
        help_text=(
            "In your own words: what was it like to take part, and what do you think of what "
            "changed? A few sentences are enough."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Write your reflection before you save it.",
            "max_length": f"Your reflection must be {REFLECTION_MAX_LENGTH} characters or fewer.",
        },
    )


def _scale_field(label: str, *, what: str) -> forms.TypedChoiceField:
    message = f"Choose how much you agree that {what}."
    return forms.TypedChoiceField(
        label=label,
        choices=Scale.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


class SurveyAnswerForm(forms.Form):
    felt_valued = _scale_field("I felt valued", what="you felt valued")
    had_support = _scale_field("I had the support I needed", what="you had the support you needed")
    paid_on_time = forms.TypedChoiceField(
        label="I was paid on time (if you were paid)",
        choices=PAID_CHOICES,
        coerce=_paid_answer,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose how much you agree that you were paid on time."},
    )
    take_part_again = forms.ChoiceField(
        label="Would you take part again?",
        choices=Again.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether you would take part again: yes, not sure or no.",
            "invalid_choice": "Choose whether you would take part again: yes, not sure or no.",
        },
    )
    works_well = forms.CharField(
        label="What works well? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    does_not_work = forms.CharField(
        label="What does not work so well? (optional)",
        required=False,
        help_text="Tell us what we could do better.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    anonymous = forms.BooleanField(
        label="Send my answers anonymously",
        required=False,
        help_text=(
            "If you tick this box, we will not know these answers are yours. We only keep a note "
            "that you have answered, so that we do not ask you again. If you want to stay "
            "anonymous, do not write your name or anything else that shows who you are."
        ),
    )

    def answers(self) -> dict:
        """The answers as SurveyResponse fields (everything except the anonymous choice)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "anonymous"}
