"""Forms for the advisor portal's payment pages: expenses, time, preferences, bank details.

They check the shape of input only. Whether a date is in the future, whether the rate
card covers it and how much is paid are decided in services.py. The receipt's file type
is checked here too (with services.receipt_check, the same check the service runs), so
that the error is shown next to the receipt field.
"""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from advisors.models import Advisor, PaymentPreference
from ascru_pie.lib.forms import MoneyField
from ascru_pie.templatetags.words import pounds_text
from meetings.models import Meeting
from projects.models import Project
from rates.models import RateCard

from . import services
from .forms_keys import SubmissionKeyForm
from .models import MAX_ANNUAL_LIMIT, MAX_EXPENSE, Claim

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RECEIPT_TYPES = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"

# Meeting attendance is claimed for the advisor from the attendance record, never logged here.
TIME_ACTIVITY_CHOICES = [
    (value, label)
    for value, label in RateCard.Activity.choices
    if value != RateCard.Activity.MEETING
]

# Each choice says what it means, in the label itself so that screen readers read it too.
PREFERENCE_CHOICES = [
    (PaymentPreference.BANK_TRANSFER, "Bank transfer: we pay the money into your bank account"),
    (PaymentPreference.VOUCHER, "Vouchers: we give you shopping vouchers instead of money"),
    (PaymentPreference.DECLINE, "I do not want to be paid for my time"),
]


def _size_words(size: int) -> str:
    """5 MB, 1.5 MB, 500 KB: the largest receipt, as people read file sizes."""
    if size >= 1024 * 1024:
        return f"{round(size / 1024 / 1024, 1):g} MB"
    return f"{max(1, round(size / 1024))} KB"


def receipt_help() -> str:
    return (
        f"If you have a receipt, add it: PDF, JPEG or PNG, up to "
        f"{_size_words(settings.RECEIPT_MAX_BYTES)}. A clear photo from your phone is fine."
    )


class _OverLimitMixin(SubmissionKeyForm):
    # Sent by the "Submit anyway" button, shown only when a claim would go over the
    # advisor's own annual limit; never rendered as a field. The button sends the same form
    # again, so its one-time key too.
    confirm_over_limit = forms.BooleanField(required=False, widget=forms.HiddenInput)


class _MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, meeting: Meeting) -> str:
        return f"{meeting.title} ({date_format(timezone.localtime(meeting.starts_at), 'j F Y')})"


class ExpenseForm(_OverLimitMixin):
    expense_type = forms.ChoiceField(
        label="What kind of expense is it?",
        choices=Claim.ExpenseType.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what kind of expense it is.",
            "invalid_choice": "Choose what kind of expense it is.",
        },
    )
    activity_date = forms.DateField(
        label="Date of the expense",
        widget=DATE,
        # Required unless a meeting is chosen: an expense for a meeting takes its date.
        required=False,
        help_text="The day you spent the money, for example the day you travelled. "
        "If it was for a meeting, we use the date of the meeting.",
        error_messages={
            "invalid": "Enter a real date, for example 14 March 2026.",
        },
    )
    amount = MoneyField(
        label="How much did you spend? (£)",
        min_value=Decimal("0.01"),
        max_value=MAX_EXPENSE,
        help_text="In pounds and pence, for example 12.50.",
        error_messages={
            "required": "Enter how much you spent, for example 12.50.",
            "invalid": "Enter the amount as a number, for example 12.50.",
            "min_value": "Enter an amount of more than £0.00.",
            "max_value": f"You can claim up to {pounds_text(MAX_EXPENSE)} at a time. For more, "
            "please talk to the Involvement Coordinator.",
            "max_decimal_places": "Enter the amount in pounds and pence, for example 12.50.",
            "max_digits": "That amount is too large. Please check it.",
            "max_whole_digits": "That amount is too large. Please check it.",
        },
    )
    description = forms.CharField(
        label="What was it for?",
        max_length=Claim._meta.get_field("description").max_length,
        help_text="For example “Train from Canterbury to London and back for the PIEG meeting”.",
        error_messages={
            "required": "Say what the expense was for.",
            "max_length": "Keep this to 300 characters or fewer.",
        },
    )
    meeting = _MeetingChoiceField(
        label="Which meeting was it for? (optional)",
        queryset=Meeting.objects.none(),
        required=False,
        empty_label="Not for a meeting",
        error_messages={"invalid_choice": "Choose one of your meetings from the list."},
    )
    receipt = forms.FileField(
        label="Receipt (optional, but please add one if you can)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": RECEIPT_TYPES}),
        error_messages={"empty": "The receipt file is empty. Please choose another file."},
    )

    def __init__(self, *args, advisor: Advisor, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the meetings this advisor was invited to, newest first.
        self.fields["meeting"].queryset = Meeting.objects.filter(
            invitations__advisor=advisor
        ).order_by("-starts_at")
        self.fields["receipt"].help_text = receipt_help()

    def clean_receipt(self):
        receipt = self.cleaned_data.get("receipt")
        if receipt:
            services.receipt_check(receipt)
        return receipt

    def clean(self) -> dict:
        data = super().clean()
        if (
            not data.get("activity_date")
            and not data.get("meeting")
            and not self.has_error("activity_date")
            and not self.has_error("meeting")
        ):
            self.add_error("activity_date", "Enter the date of the expense.")
        return data


class TimeForm(_OverLimitMixin):
    activity = forms.ChoiceField(
        label="What did you do?",
        choices=TIME_ACTIVITY_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what kind of work you did.",
            "invalid_choice": "Choose what kind of work you did.",
        },
    )
    activity_date = forms.DateField(
        label="Date you did it",
        widget=DATE,
        error_messages={
            "required": "Enter the date you did the work.",
            "invalid": "Enter a real date, for example 14 March 2026.",
        },
    )
    hours = forms.DecimalField(
        label="How many hours did it take?",
        max_digits=4,
        decimal_places=2,
        min_value=Decimal("0.25"),
        max_value=Decimal("24"),
        help_text="For example 2, or 1.5 for one and a half hours.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": "Enter how many hours it took, for example 2 or 1.5.",
            "invalid": "Enter the hours as a number, for example 2 or 1.5.",
            "min_value": "Enter at least a quarter of an hour (0.25).",
            "max_value": "Enter no more than 24 hours for one day.",
            "max_decimal_places": "Enter the hours as a number, for example 2 or 1.5.",
            "max_digits": "Enter no more than 24 hours for one day.",
            "max_whole_digits": "Enter no more than 24 hours for one day.",
        },
    )
    description = forms.CharField(
        label="Tell us briefly what you did",
        max_length=Claim._meta.get_field("description").max_length,
        help_text="For example “Read and commented on the draft interview questions”.",
        error_messages={
            "required": "Tell us briefly what you did.",
            "max_length": "Keep this to 300 characters or fewer.",
        },
    )
    project = forms.ModelChoiceField(
        label="Which project was it for? (optional)",
        queryset=Project.objects.none(),
        required=False,
        empty_label="Not for a particular project",
        error_messages={"invalid_choice": "Choose one of your projects from the list."},
    )

    def __init__(self, *args, advisor: Advisor, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = (
            Project.objects.filter(advisor_assignments__advisor=advisor)
            .distinct()
            .order_by("title")
        )


class PreferencesForm(SubmissionKeyForm):
    payment_preference = forms.ChoiceField(
        label="How would you like to be paid?",
        choices=PREFERENCE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how you would like to be paid.",
            "invalid_choice": "Choose how you would like to be paid.",
        },
    )
    annual_limit = MoneyField(
        label="Limit on payments in a tax year, in pounds (optional)",
        required=False,
        min_value=Decimal("0"),
        max_value=MAX_ANNUAL_LIMIT,
        error_messages={
            "invalid": "Enter the limit as a number of pounds, for example 1000, or leave it empty.",
            "min_value": "Enter a limit of £0 or more, or leave it empty.",
            "max_value": f"Enter a limit of no more than {pounds_text(MAX_ANNUAL_LIMIT)}, "
            "or leave it empty.",
            "max_decimal_places": "Enter the limit in pounds and pence, for example 1000.00.",
            "max_digits": "That limit is too large. Please check it.",
            "max_whole_digits": "That limit is too large. Please check it.",
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # What counts towards the limit is a setting, so the help says which.
        self.fields["annual_limit"].help_text = (
            "Payments can affect some benefits. If you want to stay under an amount, enter it "
            "and we will warn you before a claim would take you over it. "
            f"{services.limit_counts_words()} Leave it empty for no limit. Not sure? Ask the "
            "Involvement Coordinator: they can put you in touch with free, independent "
            "benefits advice."
        )


class BankNumberInput(forms.TextInput):
    """A text box that never puts what was typed back into the page (bank numbers)."""

    def format_value(self, value):
        return None


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


class BankDetailsForm(forms.Form):
    """All three fields or none: empty means "keep the details we have"."""

    account_name = forms.CharField(
        label="Name on the account",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"max_length": "Keep the name to 100 characters or fewer."},
    )
    sort_code = forms.CharField(
        label="Sort code",
        required=False,
        max_length=20,
        help_text="6 numbers, for example 12-34-56.",
        widget=BankNumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    account_number = forms.CharField(
        label="Account number",
        required=False,
        max_length=20,
        help_text="8 numbers.",
        widget=BankNumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_sort_code(self) -> str:
        value = self.cleaned_data["sort_code"]
        if value and (len(_digits(value)) != 6 or not set(value) <= set("0123456789- ")):
            raise ValidationError("Enter a sort code of 6 numbers, for example 12-34-56.")
        return value

    def clean_account_number(self) -> str:
        value = self.cleaned_data["account_number"]
        if value and (len(_digits(value)) != 8 or not set(value) <= set("0123456789 ")):
            raise ValidationError("Enter an account number of 8 numbers.")
        return value

    def clean(self) -> dict:
        data = super().clean()
        names = ["account_name", "sort_code", "account_number"]
        given = [n for n in names if (self.data.get(self.add_prefix(n)) or "").strip()]
        if given and len(given) < len(names):
            for name in names:
                if name not in given:
                    self.add_error(name, _MISSING[name])
        return data

    @property
    def has_details(self) -> bool:
        return bool(self.cleaned_data.get("account_number"))


_MISSING = {
    "account_name": "Enter the name on the account, to change your bank details.",
    "sort_code": "Enter the sort code, to change your bank details.",
    "account_number": "Enter the account number, to change your bank details.",
}
