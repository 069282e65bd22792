"""Forms for the PIE team's meeting pages.

They check the shape of input only; who may be invited, clashes, the agenda deadline and
the reasons a decision needs are decided in services.py.
"""

from django import forms

from advisors.models import Advisor
from projects.models import Project

from .models import AgendaItem, Invitation, Meeting


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


class AdvisorChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Advisor) -> str:
        # How they are contacted, so the coordinator sees who will need a call or a letter.
        return f"{obj.full_name} ({obj.get_contact_method_display()})"


class InviteForm(forms.Form):
    CHOSEN, PROJECT, PIEG = "chosen", "project", "pieg"

    who = forms.ChoiceField(
        label="Who to invite",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who to invite."},
    )
    advisors = AdvisorChoices(
        label="Advisors (if you are choosing them)",
        queryset=Advisor.objects.active().order_by("last_name", "first_name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose active advisors from the list."},
    )
    # Set by the "Invite anyway" button, after the coordinator has seen the clash warning.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, meeting: Meeting, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(self.CHOSEN, "Advisors I choose below")]
        # A meeting without a project has no project team to invite.
        if meeting.project_id:
            choices.append((self.PROJECT, f"The project team of “{meeting.project}”"))
        choices.append((self.PIEG, "The whole PIEG (every active PIEG member)"))
        self.fields["who"].choices = choices

    def clean(self) -> dict:
        data = super().clean()
        if (
            data.get("who") == self.CHOSEN
            and not data.get("advisors")
            and "advisors" not in self.errors
        ):
            self.add_error("advisors", "Choose at least one advisor to invite.")
        return data


class RSVPRecordForm(forms.Form):
    """An answer an invitee gave the PIE team by phone, by post or in person."""

    rsvp = forms.ChoiceField(
        label="Answer",
        choices=[
            (Invitation.RSVP.YES, "Yes, coming"),
            (Invitation.RSVP.NO, "No, cannot come"),
            (Invitation.RSVP.MAYBE, "Maybe"),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": "Choose yes, no or maybe."},
    )
    how = forms.ChoiceField(
        label="Told us",
        choices=[
            c for c in Invitation.AnsweredHow.choices if c[0] != Invitation.AnsweredHow.PORTAL
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": "Choose how they told us."},
    )

    def __init__(self, *args, invitation: Invitation, **kwargs) -> None:
        # One form per roster row, each posted on its own: unique ids, plain field names.
        kwargs.setdefault("auto_id", f"inv-{invitation.pk}-%s")
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        # One form per row of the roster: each label names its advisor to stay unique.
        name = invitation.advisor.full_name
        self.fields["rsvp"].label = f"Answer from {name}"
        self.fields["how"].label = f"How {name} told us"


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
