"""Forms for the advisor portal's meeting pages: answering an invitation, proposing an
agenda item.

They check the shape of input only; whether the meeting is cancelled or the agenda
deadline has passed is decided in services.py.
"""

from django import forms

from .models import AgendaItem, Invitation

# "Not answered yet" is where an invitation starts, never an answer someone gives.
ANSWER_CHOICES = [
    (value, label) for value, label in Invitation.RSVP.choices if value != Invitation.RSVP.PENDING
]


class RSVPForm(forms.Form):
    rsvp = forms.ChoiceField(
        label="Can you come to this meeting?",
        choices=ANSWER_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether you can come: yes, no or maybe.",
            "invalid_choice": "Choose whether you can come: yes, no or maybe.",
        },
    )
    needs = forms.CharField(
        label="What you need for this meeting (optional)",
        required=False,
        help_text="For example a taxi, a carer coming with you, or large-print papers posted to you.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @classmethod
    def for_invitation(cls, invitation: Invitation, data=None) -> "RSVPForm":
        """The form filled in with what the advisor told us last time."""
        initial = {"needs": invitation.needs}
        if invitation.rsvp != Invitation.RSVP.PENDING:
            initial["rsvp"] = invitation.rsvp
        return cls(data, initial=initial)


class AgendaProposalForm(forms.Form):
    title = forms.CharField(
        label="What would you like to talk about?",
        max_length=AgendaItem._meta.get_field("title").max_length,
        help_text="A short title, for example “Travel costs for meetings”.",
        error_messages={
            "required": "Enter a short title for the item you would like to add.",
            "max_length": "The title must be 200 characters or fewer. Put more detail in the description.",
        },
    )
    description = forms.CharField(
        label="Tell us a bit more (optional)",
        required=False,
        help_text="A few sentences are enough.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    speaker = forms.CharField(
        label="Who will speak to it (optional)",
        required=False,
        max_length=AgendaItem._meta.get_field("speaker").max_length,
        help_text="For example “Me”, or the name of someone else who will introduce it.",
        error_messages={"max_length": "This must be 200 characters or fewer."},
    )
