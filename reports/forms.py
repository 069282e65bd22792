"""Forms for the report pages. They check the shape of input only: who may ask for which
document, and which years are allowed, is decided in services.report_request."""

import datetime

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from projects.models import Project

from .models import PeriodKind, ReportExample, ReportRequest

# How many calendar years the dashboard and the report form offer, newest first.
YEARS_SHOWN = 5


def report_years(today: datetime.date) -> list[int]:
    return list(range(today.year, today.year - YEARS_SHOWN, -1))


def tax_year_label(start_year: int) -> str:
    """6 April 2026 to 5 April 2027."""
    return f"6 April {start_year} to 5 April {start_year + 1}"


class YearForm(forms.Form):
    """The year the dashboard's figures cover (sent with GET, so a year can be bookmarked)."""

    # Not required: no year means this year.
    year = forms.TypedChoiceField(
        label="Year",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose a year from the list."},
    )

    def __init__(self, *args, today: datetime.date, **kwargs) -> None:
        # The report form on the same page has a year field too: keep the ids apart.
        kwargs.setdefault("auto_id", "figures-%s")
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in report_years(today)]


class ManyOptionsSelect(forms.Select):
    """A select drawn in Python rather than one template per option: a unit with hundreds of
    projects gets its list in a millisecond, not half a second. Same HTML as forms.Select."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        chosen = set(self.format_value(value))
        options = [
            format_html(
                '<option value="{}"{}>{}</option>',
                option,
                mark_safe(" selected") if str(option) in chosen else "",
                label,
            )
            for option, label in self.choices
        ]
        return format_html(
            "<select{}>{}</select>",
            flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name})),
            mark_safe("".join(options)),
        )


class ReportRequestForm(forms.Form):
    """The manager's (or the PIE team's) request for a PDF report."""

    kind = forms.ChoiceField(
        label="Which report",
        widget=forms.RadioSelect,
        choices=[
            (ReportRequest.Kind.ANNUAL, "Annual PIE report: the whole unit, for one year"),
            (
                ReportRequest.Kind.PROJECT,
                "Project PIE report: one project's plan, spending and impact",
            ),
        ],
        error_messages={"required": "Choose which report you want."},
    )
    year = forms.TypedChoiceField(
        label="Year (for an annual report)",
        coerce=int,
        error_messages={"invalid_choice": "Choose a year from the list."},
    )
    period_kind = forms.ChoiceField(
        label="Which kind of year (for an annual report)",
        widget=forms.RadioSelect,
        choices=[
            (PeriodKind.CALENDAR, "Calendar year: 1 January to 31 December"),
            (
                PeriodKind.FINANCIAL,
                "Financial year: 1 April to 31 March, starting in the year above",
            ),
        ],
        initial=PeriodKind.CALENDAR,
        required=False,
        error_messages={"invalid_choice": "Choose calendar year or financial year."},
    )
    project = forms.ModelChoiceField(
        label="Project (for a project report)",
        queryset=Project.objects.order_by("title"),
        widget=ManyOptionsSelect,
        required=False,
        empty_label="Choose a project",
        error_messages={"invalid_choice": "Choose a project from the list."},
    )

    def __init__(self, *args, today: datetime.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in report_years(today)]
        self.fields["year"].initial = today.year
        self.fields["kind"].initial = ReportRequest.Kind.ANNUAL

    def clean(self) -> dict:
        data = super().clean()
        data["period_kind"] = data.get("period_kind") or PeriodKind.CALENDAR
        if (
            data.get("kind") == ReportRequest.Kind.PROJECT
            and not data.get("project")
            and "project" not in self.errors
        ):
            self.add_error("project", "Choose the project for a project report.")
        return data


class StatementForm(forms.Form):
    """An advisor's request for a statement of payments for one tax year."""

    year = forms.TypedChoiceField(
        label="Which tax year?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the tax year.",
            "invalid_choice": "Choose a tax year from the list.",
        },
    )

    def __init__(self, *args, tax_year_start: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        years = [tax_year_start, tax_year_start - 1, tax_year_start - 2]
        self.fields["year"].choices = [(y, tax_year_label(y)) for y in years]
        self.fields["year"].initial = tax_year_start


class ReferenceLetterForm(forms.Form):
    letter_text = forms.CharField(
        label="The letter",
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="We wrote a first draft from the advisor's record. Change it as you need; "
        "the PDF uses exactly this text.",
        error_messages={"required": "Write the reference letter first."},
    )
    # Who gives the reference, printed under the letter. Left empty: the signed-in member of
    # staff, with the unit's contact details.
    referee_name = forms.CharField(label="Referee's name", max_length=200, required=False)
    referee_role = forms.CharField(label="Referee's role", max_length=200, required=False)
    referee_contact = forms.CharField(
        label="How to contact the referee",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Email, phone or address, one a line. Printed under the letter.",
    )


class EvidencePeriodForm(forms.Form):
    """Which annual report the PIE team is choosing examples for (sent with GET)."""

    year = forms.TypedChoiceField(label="Year", coerce=int, required=False, empty_value=None)
    period = forms.ChoiceField(label="Kind of year", choices=PeriodKind.choices, required=False)

    def __init__(self, *args, today: datetime.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in report_years(today)]


class ExampleAddForm(forms.Form):
    """Pick a record as an example for one standard; the wording can be edited now or later."""

    source = forms.ChoiceField(
        label="Record to use",
        error_messages={
            "required": "Choose a record to use as the example.",
            "invalid_choice": "Choose a record from the list.",
        },
    )
    text = forms.CharField(
        label="Wording in the report (optional)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Leave empty to start from the record's own words; you can edit them after.",
    )

    def __init__(self, *args, candidates: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "Choose a record"), *candidates]


class ExampleEditForm(forms.ModelForm):
    class Meta:
        model = ReportExample
        fields = ["text", "order"]
        labels = {"text": "Wording in the report", "order": "Position (lower comes first)"}
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}
        error_messages = {"text": {"required": "Write the wording for the report."}}


class NarrativeForm(forms.Form):
    text = forms.CharField(
        label="Narrative",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="A short account of the year for this standard. Leave empty to remove it.",
    )
