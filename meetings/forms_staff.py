"""Forms for the PIE team's meeting pages.

They check the shape of input only; who may be invited, clashes, the agenda deadline and
the reasons a decision needs are decided in services.py.
"""

from django import forms

from advisors.models import Advisor
from projects.models import Project

from .models import AgendaItem, Meeting


class MeetingFilterForm(forms.Form):
    """The filters above the meeting list (sent with GET, so a filtered list can be bookmarked)."""

    UPCOMING, PAST = "upcoming", "past"

    when = forms.ChoiceField(
        label="Show",
        choices=[(UPCOMING, "Upcoming meetings"), (PAST, "Past meetings")],
        required=False,
    )
    type = forms.ChoiceField(
        label="Type of meeting", choices=[("", "All types"), *Meeting.Type.choices], required=False
    )
    project = forms.ModelChoiceField(
        label="Project",
        queryset=Project.objects.order_by("title"),
        required=False,
        empty_label="All projects",
    )


class InviteForm(forms.Form):
    ONE, PROJECT, PIEG = "one", "project", "pieg"

    who = forms.ChoiceField(
        label="Who to invite",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who to invite."},
    )
    advisor = forms.ModelChoiceField(
        label="Advisor (if you are inviting one person)",
        queryset=Advisor.objects.active().order_by("last_name", "first_name"),
        required=False,
        empty_label="Choose an advisor",
        error_messages={"invalid_choice": "Choose an active advisor from the list."},
    )
    # Set by the "Invite anyway" button, after the coordinator has seen the clash warning.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, meeting: Meeting, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(self.ONE, "One advisor")]
        # A meeting without a project has no project team to invite.
        if meeting.project_id:
            choices.append((self.PROJECT, f"The project team of “{meeting.project}”"))
        choices.append((self.PIEG, "The whole PIEG (every active PIEG member)"))
        self.fields["who"].choices = choices

    def clean(self) -> dict:
        data = super().clean()
        if data.get("who") == self.ONE and not data.get("advisor") and "advisor" not in self.errors:
            self.add_error("advisor", "Choose the advisor to invite.")
        return data


class AgendaDecisionForm(forms.Form):
    """The decision on one proposed agenda item; one per item, prefixed with the item's id."""

    status = forms.ChoiceField(
        choices=AgendaItem.Status.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
    order = forms.IntegerField(
        min_value=0,
        max_value=999,
        widget=forms.NumberInput(attrs={"class": "form-control agenda-order"}),
        error_messages={
            "required": "Enter the item's place on the agenda, for example 1.",
            "invalid": "Enter the item's place on the agenda as a whole number, for example 1.",
            "min_value": "Enter 0 or more for the item's place on the agenda.",
            "max_value": "Enter a number up to 999 for the item's place on the agenda.",
        },
    )

    def __init__(self, *args, item: AgendaItem, **kwargs) -> None:
        kwargs.setdefault(
            "initial", {"status": item.status, "reason": item.reason, "order": item.order}
        )
        super().__init__(*args, **kwargs)
        self.item = item
        # Every row has the same fields, so each label names its item to stay unique.
        self.fields["status"].label = f"Decision on “{item.title}”"
        self.fields["reason"].label = f"Reason for “{item.title}”"
        self.fields["order"].label = f"Order of “{item.title}”"

    def add_error(self, field: str | None, error) -> None:
        # The rows are rendered by hand in a table, so mark invalid fields here (Bootstrap's
        # red border; the message itself is always shown in words next to the field).
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class AgendaProposeForm(forms.Form):
    title = forms.CharField(
        label="Title of the item",
        max_length=200,
        error_messages={"required": "Enter a title for the item."},
    )
    description = forms.CharField(
        label="Short description (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    speaker = forms.CharField(
        label="Who will speak to it (optional)", max_length=200, required=False
    )
