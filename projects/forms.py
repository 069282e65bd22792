from django import forms

from .models import (
    MAX_ACTIVITIES_PER_STAGE,
    MAX_ADVISORS,
    MAX_ENHANCED_SUPPORT_COST,
    MAX_EXPENSES_PER_ADVISOR,
    MAX_SESSIONS,
    MAX_SUPPORT_COST_PER_SESSION,
    PIEPlan,
    PlannedActivity,
    ReviewComment,
)

# A browser's <input type="date"> only shows (and sends back) an ISO date: any other format
# renders as an empty box, and saving the form then erases the date.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _model_field(name: str):
    return PlannedActivity._meta.get_field(name)


def _whole_number(name: str, *, most: int, what: str, least_message: str) -> forms.IntegerField:
    """The model field's form field, with its bounds said in words."""
    return _model_field(name).formfield(
        min_value=1,
        max_value=most,
        error_messages={
            "required": f"Enter the number of {what}, for example 3.",
            "invalid": f"Enter the number of {what} as a whole number, for example 3.",
            "min_value": least_message,
            "max_value": f"An activity can have at most {most} {what}. For more, add it as two activities.",
        },
    )


def _pounds(name: str, *, most, what: str) -> forms.DecimalField:
    # No max_digits on the form field: the maximum says it in pounds instead of in digits.
    return _model_field(name).formfield(
        max_digits=None,
        min_value=0,
        max_value=most,
        error_messages={
            "required": f"Enter the {what} in pounds, or 0.",
            "invalid": f"Enter the {what} in pounds, for example 12.50.",
            "min_value": f"The {what} cannot be less than £0.",
            "max_value": f"The {what} can be at most £{most:,}.",
            "max_decimal_places": f"Enter the {what} in pounds and pence, for example 12.50.",
        },
    )


class PlanTextForm(forms.ModelForm):
    class Meta:
        model = PIEPlan
        fields = ["recognition", "support_and_training"]
        widgets = {
            "recognition": forms.Textarea(attrs={"rows": 3}),
            "support_and_training": forms.Textarea(attrs={"rows": 3}),
        }


class ActivityForm(forms.ModelForm):
    # Which activity this row is, across saves and versions (hidden; empty for a new one).
    key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    advisors = _whole_number(
        "advisors",
        most=MAX_ADVISORS,
        what="advisors",
        least_message="At least one advisor takes part.",
    )
    sessions = _whole_number(
        "sessions", most=MAX_SESSIONS, what="sessions", least_message="Plan at least one session."
    )
    hours_per_session = _model_field("hours_per_session").formfield(
        max_digits=None,
        error_messages={
            "required": "Enter the hours per advisor per session, for example 2.5.",
            "invalid": "Enter the hours per advisor per session as a number, for example 2.5.",
            "max_decimal_places": "Enter the hours to at most two decimal places, for example 2.25.",
        },
    )
    expenses_per_advisor = _pounds(
        "expenses_per_advisor",
        most=MAX_EXPENSES_PER_ADVISOR,
        what="expenses per advisor per session",
    )
    support_cost_per_session = _pounds(
        "support_cost_per_session",
        most=MAX_SUPPORT_COST_PER_SESSION,
        what="support costs per session",
    )
    enhanced_support_cost = _pounds(
        "enhanced_support_cost", most=MAX_ENHANCED_SUPPORT_COST, what="extra support"
    )

    class Meta:
        model = PlannedActivity
        # The stage is the formset's (one per research stage), not a field of the row.
        fields = [f for f in PlannedActivity.CONTENT_FIELDS if f != "stage"]
        widgets = {
            "planned_date": DATE,
            "anticipated_impact": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "activity_type": {"required": "Choose the type of activity."},
            "planned_date": {
                "invalid": "Enter the date of the first session as a real date, for example 20/01/2026."
            },
            "anticipated_impact": {
                "required": "Say what this involvement will do for the research."
            },
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Left out (a client that does not send it): the default the form shows, monthly.
        self.fields["frequency"].required = False

    def clean_frequency(self) -> str:
        return self.cleaned_data["frequency"] or PlannedActivity.Frequency.MONTHLY

    def clean_hours_per_session(self):
        hours = self.cleaned_data["hours_per_session"]
        if hours is not None and not 0 < hours <= 24:
            raise forms.ValidationError(
                "Hours per session must be more than 0 and no more than 24."
            )
        return hours


class BaseActivityFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": (
            f"A stage can have at most {MAX_ACTIVITIES_PER_STAGE} activities. "
            "Combine some, or put them at another stage."
        ),
    }


ActivityFormSet = forms.formset_factory(
    ActivityForm,
    formset=BaseActivityFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_ACTIVITIES_PER_STAGE,
    validate_max=True,
)


class ReviewForm(forms.Form):
    """Per-section comments; the decision is the button pressed.

    `budget_total` is the budget the reviewer was shown: approval checks it is still the one.
    """

    budget_total = forms.DecimalField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for value, label in ReviewComment.SECTIONS:
            self.fields[value] = forms.CharField(
                label=f"Comment on: {label}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def comments(self) -> dict[str, str]:
        return {value: self.cleaned_data.get(value, "") for value, _ in ReviewComment.SECTIONS}
