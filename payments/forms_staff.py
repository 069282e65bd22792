"""Forms for the staff payment pages (PIE team and finance).

They check the shape of input only. Whether a claim may be approved, rejected, reversed,
batched or paid, the annual limit and the four-eyes rule are all decided in services.py.
"""

from decimal import Decimal

from django import forms
from django.conf import settings

from advisors.models import Advisor
from ascru_pie.lib.forms import MoneyField
from ascru_pie.templatetags.words import plural_text, pounds_text
from projects.models import Project
from rates.models import RateCard

from .forms_keys import SubmissionKeyForm
from .models import MAX_CENTRAL_BUDGET, MAX_EXPENSE, CentralBudget, Claim
from .services.batches import paid_on_problem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ClaimChoiceField(forms.ModelMultipleChoiceField):
    """Claims ticked in a table; the table renders the checkboxes, this field checks the ids."""

    def __init__(self, queryset, **kwargs) -> None:
        super().__init__(
            queryset=queryset,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "invalid_choice": "One of the chosen claims has changed since the page was loaded. "
                "Reload the page and try again.",
                "invalid_pk_value": "Choose claims from the list.",
            },
            **kwargs,
        )


class ClaimApproveForm(forms.Form):
    """The ticked claims on the approval queue."""

    claims = ClaimChoiceField(
        Claim.objects.filter(status=Claim.Status.SUBMITTED),
        label="Claims to approve",
        required=True,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["claims"].error_messages["required"] = "Choose at least one claim to approve."


class ReasonForm(forms.Form):
    """A reason for rejecting or correcting a claim; the advisor sees it."""

    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args, label: str, required_message: str, help_text: str = "", **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].error_messages["required"] = required_message
        self.fields["reason"].help_text = help_text


class _StaffClaimForm(SubmissionKeyForm):
    advisor = forms.ModelChoiceField(
        label="Advisor",
        # Advisors on the register who are taking part (Paused ones still claim; Left do not),
        # never staff or researchers: a claim pays an advisor.
        queryset=Advisor.objects.taking_part().order_by("last_name", "first_name"),
        empty_label="Choose an advisor",
        error_messages={
            "required": "Choose the advisor the claim is for.",
            "invalid_choice": "Choose an advisor from the list (not one who has left).",
        },
    )
    activity_date = forms.DateField(
        label="Date",
        widget=DATE,
        error_messages={
            "required": "Enter the date.",
            "invalid": "Enter a real date, for example 1 May 2026.",
        },
    )
    description = forms.CharField(
        label="Description",
        max_length=300,
        error_messages={"required": "Describe what the claim is for."},
        help_text="The advisor sees this in their portal.",
    )
    project = forms.ModelChoiceField(
        label="Project (optional)",
        queryset=Project.objects.order_by("title"),
        required=False,
        empty_label="Not for a project",
        help_text="Claims for a project count against its PIE budget.",
    )
    late_reason = forms.CharField(
        label="Reason for an old date (PIE team only)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Keep the reason to 500 characters or fewer."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        months = plural_text(settings.CLAIM_MAX_AGE_MONTHS, "month")
        self.fields["late_reason"].help_text = (
            f"Only for a date more than {months} ago: say why it is being paid now. "
            "It is kept in the claim’s history."
        )


class StaffExpenseForm(_StaffClaimForm):
    """An expense claim taken by phone or on paper."""

    expense_type = forms.ChoiceField(
        label="Type of expense",
        choices=[("", "Choose a type"), *Claim.ExpenseType.choices],
        error_messages={"required": "Choose the type of expense."},
    )
    amount = MoneyField(
        label="Amount (£)",
        min_value=Decimal("0.01"),
        max_value=MAX_EXPENSE,
        error_messages={
            "required": "Enter the amount.",
            "invalid": "Enter the amount in pounds and pence, like 12.50.",
            "min_value": "Enter an amount of more than £0.00.",
            "max_value": f"An expense claim can be up to {pounds_text(MAX_EXPENSE)}. "
            "Please check the amount.",
            "max_decimal_places": "Enter the amount in pounds and pence, like 12.50.",
            "max_digits": "That amount is too large. Please check it.",
            "max_whole_digits": "That amount is too large. Please check it.",
        },
    )
    receipt = forms.FileField(
        label="Receipt (optional)",
        required=False,
        help_text="A PDF, JPEG or PNG file, for example a scan of a paper receipt.",
    )

    field_order = [
        "advisor",
        "expense_type",
        "activity_date",
        "amount",
        "description",
        "project",
        "receipt",
        "late_reason",
    ]


class StaffTimeForm(_StaffClaimForm):
    """Time spent on an activity (other than meeting attendance, which comes from the register)."""

    activity = forms.ChoiceField(
        label="Activity",
        # Meeting time comes only from attendance, so it can never be claimed twice.
        choices=[
            ("", "Choose an activity"),
            *[c for c in RateCard.Activity.choices if c[0] != RateCard.Activity.MEETING],
        ],
        error_messages={"required": "Choose the activity."},
    )
    hours = forms.DecimalField(
        label="Hours",
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.25"),
        max_value=Decimal("24"),
        help_text="For example 1.5 for an hour and a half.",
        error_messages={
            "required": "Enter the hours spent.",
            "invalid": "Enter the hours as a number, like 1.5.",
            "min_value": "Enter at least 0.25 hours (15 minutes).",
            "max_value": "Enter no more than 24 hours.",
            "max_decimal_places": "Enter the hours with at most two decimal places.",
            "max_digits": "Enter no more than 24 hours.",
            "max_whole_digits": "Enter no more than 24 hours.",
        },
    )

    field_order = [
        "advisor",
        "activity",
        "activity_date",
        "hours",
        "description",
        "project",
        "late_reason",
    ]


class MarkPaidForm(forms.Form):
    """The payment date, and (for paying part of a batch) the ticked claims."""

    paid_on = forms.DateField(
        label="Date paid",
        widget=DATE,
        error_messages={
            "required": "Enter the date the payment was made.",
            "invalid": "Enter a real date, for example 1 May 2026.",
        },
    )
    claims = ClaimChoiceField(Claim.objects.none(), label="Claims paid", required=False)

    def __init__(self, *args, batch, selected: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.selected = selected
        self.batch = batch
        self.fields["claims"].queryset = batch.claims.filter(status=Claim.Status.IN_BATCH)

    def clean_paid_on(self):
        # Also checked by the service; here so the confirmation step never offers a date
        # that would then be refused (in the future, or before the batch was approved).
        paid_on = self.cleaned_data["paid_on"]
        if problem := paid_on_problem(paid_on, self.batch):
            raise forms.ValidationError(problem)
        return paid_on

    def clean(self) -> dict:
        data = super().clean()
        if self.selected and not data.get("claims") and "claims" not in self.errors:
            self.add_error("claims", "Choose at least one claim that was paid.")
        return data


class PaidImportForm(forms.Form):
    """Finance's "paid" file; its rows are read and checked by resources.paid_file_read."""

    file = forms.FileField(
        label="The paid file (CSV or Excel .xlsx)",
        help_text="Two columns: claim (the claim number) and paid_on (the date paid, as "
        "YYYY-MM-DD or DD/MM/YYYY).",
        error_messages={
            "required": "Choose the file to upload.",
            "empty": "The file is empty.",
        },
    )


class CentralBudgetsForm(forms.Form):
    """One amount per central budget category for a financial year; empty for no budget."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for category, label in CentralBudget.Category.choices:
            self.fields[category] = MoneyField(
                label=f"{label} (£)",
                required=False,
                min_value=Decimal("0"),
                max_value=MAX_CENTRAL_BUDGET,
                help_text="Leave empty for no budget.",
                error_messages={
                    "invalid": "Enter the budget in pounds, like 2,500 or £2,500.00.",
                    "min_value": "A budget cannot be less than £0.00.",
                    "max_value": f"A central budget can be up to {pounds_text(MAX_CENTRAL_BUDGET)}. "
                    "Please check the amount.",
                    "max_decimal_places": "Enter the budget in pounds and pence, like 2,500.00.",
                    "max_digits": "That amount is too large. Please check it.",
                    "max_whole_digits": "That amount is too large. Please check it.",
                },
            )
