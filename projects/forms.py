from django import forms

from .models import PIEPlan, PlannedActivity, ReviewComment


class PlanTextForm(forms.ModelForm):
    class Meta:
        model = PIEPlan
        fields = ["recognition", "support_and_training"]
        widgets = {
            "recognition": forms.Textarea(attrs={"rows": 3}),
            "support_and_training": forms.Textarea(attrs={"rows": 3}),
        }


class ActivityForm(forms.ModelForm):
    class Meta:
        model = PlannedActivity
        fields = [
            "activity_type",
            "description",
            "advisors",
            "sessions",
            "hours_per_session",
            "mode",
            "planned_date",
            "expenses_per_advisor",
            "support_cost_per_session",
            "enhanced_support_cost",
            "support_description",
            "anticipated_impact",
        ]
        widgets = {
            "planned_date": forms.DateInput(attrs={"type": "date"}),
            "anticipated_impact": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "activity_type": {"required": "Choose the type of activity."},
            "hours_per_session": {
                "required": "Enter the hours per advisor per session, for example 2.5."
            },
            "anticipated_impact": {
                "required": "Say what this involvement will do for the research."
            },
        }

    def clean_hours_per_session(self):
        hours = self.cleaned_data["hours_per_session"]
        if hours is not None and not 0 < hours <= 24:
            raise forms.ValidationError(
                "Hours per session must be more than 0 and no more than 24."
            )
        return hours

    def clean_advisors(self):
        n = self.cleaned_data["advisors"]
        if n is not None and n < 1:
            raise forms.ValidationError("At least one advisor takes part.")
        return n

    def clean_sessions(self):
        n = self.cleaned_data["sessions"]
        if n is not None and n < 1:
            raise forms.ValidationError("Plan at least one session.")
        return n


ActivityFormSet = forms.formset_factory(ActivityForm, extra=1, can_delete=True)


class ReviewForm(forms.Form):
    """Per-section comments; the decision is the button pressed."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for value, label in ReviewComment.SECTIONS:
            self.fields[value] = forms.CharField(
                label=f"Comment on: {label}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
