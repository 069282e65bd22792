"""How meetings, invitations and agenda items are said, for the advisor and for the PIE team."""

import datetime

from django.test import SimpleTestCase
from django.utils import timezone

from meetings.models import AgendaItem, Invitation, Meeting
from meetings.templatetags.meetings_words import meeting_status


class InvitationWordsTest(SimpleTestCase):
    def test_the_advisor_reads_their_own_answer_and_the_pie_team_the_roster_wording(self) -> None:
        table = {
            "pending": ("You have not answered yet", "Not answered yet"),
            "yes": ("You said yes, you will come", "Yes, coming"),
            "maybe": ("You said maybe", "Maybe"),
            "no": ("You said no, you cannot come", "No, cannot come"),
        }
        for rsvp, words in table.items():
            with self.subTest(rsvp=rsvp):
                invitation = Invitation(rsvp=rsvp)
                self.assertEqual((invitation.answer_words, invitation.roster_answer_words), words)


class AgendaItemWordsTest(SimpleTestCase):
    def test_the_proposer_reads_what_happened_to_their_item(self) -> None:
        table = {
            "proposed": "Waiting for the PIE team to decide",
            "accepted": "Accepted: it is on the agenda",
            "deferred": "Moved to a later meeting",
            "declined": "Not accepted",
        }
        for status, words in table.items():
            with self.subTest(status=status):
                self.assertEqual(AgendaItem(status=status).proposal_words, words)


class MeetingStatusTest(SimpleTestCase):
    def meeting(self, status: str, *, ended_hours_ago: int) -> Meeting:
        ends_at = timezone.now() - datetime.timedelta(hours=ended_hours_ago)
        return Meeting(
            status=status, starts_at=ends_at - datetime.timedelta(hours=2), ends_at=ends_at
        )

    def test_a_scheduled_meeting_that_is_over_is_waiting_for_its_attendance(self) -> None:
        table = [
            ("scheduled", -24, "Scheduled"),
            ("scheduled", 1, "Took place: attendance not recorded yet"),
            ("held", 1, "Held"),
            ("cancelled", 1, "Cancelled"),
        ]
        for status, ended_hours_ago, words in table:
            with self.subTest(status=status, ended_hours_ago=ended_hours_ago):
                meeting = self.meeting(status, ended_hours_ago=ended_hours_ago)
                self.assertEqual(meeting_status(meeting), words)
