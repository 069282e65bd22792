"""Meeting emails and staff pages say times the one way (issue 14): "Tuesday 3 March 2026,
10:30am to 12:30pm", "1 December 2026 at 6:40am", "2.5 hours"; never "10:30 AM" or "10:30"."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.urls import reverse

from tests.base import BaseTestCase
from tests.factories import MeetingFactory

LONDON = ZoneInfo("Europe/London")


class MeetingWordsTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.meeting = MeetingFactory(
            title="Spring PIEG",
            starts_at=datetime.datetime(2026, 3, 3, 10, 30, tzinfo=LONDON),
            ends_at=datetime.datetime(2026, 3, 3, 12, 30, tzinfo=LONDON),
            agenda_deadline=datetime.datetime(2026, 2, 24, 18, 0, tzinfo=LONDON),
            preparation_hours=Decimal("2.50"),
        )

    def render(self, name: str, **extra) -> str:
        context = {"advisor": self.alice, "meeting": self.meeting, "site_url": "", **extra}
        return render_to_string(name, context)

    def test_every_meeting_email_says_the_time_in_words(self) -> None:
        for ext in ("html", "txt"):
            with self.subTest(ext=ext):
                invitation = self.render(f"emails/meeting-invitation-body.{ext}")
                self.assertIn("Tuesday 3 March 2026, 10:30am to 12:30pm", invitation)
                self.assertIn("Paid preparation time: 2.5 hours", invitation)
                reminder = self.render(f"emails/reminder-meeting-body.{ext}", days=1)
                self.assertIn("Tuesday 3 March 2026, 10:30am to 12:30pm", reminder)
                for name in ("meeting-cancelled-body", "reminder-rsvp-body"):
                    body = self.render(f"emails/{name}.{ext}")
                    self.assertIn("on Tuesday 3 March 2026 at 10:30am", body)
                agenda = self.render(f"emails/reminder-agenda-body.{ext}")
                self.assertIn("until 24 February 2026 at 6pm", agenda)
                for text in (invitation, reminder, agenda):
                    self.assertNotIn("AM", text)
                    self.assertNotIn("PM", text)

    def test_the_staff_pages_say_the_time_in_words(self) -> None:
        self.client.force_login(self.staff_sam)
        for url in (
            reverse("meetings:list") + "?when=past",
            reverse("meetings:detail", args=[self.meeting.pk]),
            reverse("meetings:agenda", args=[self.meeting.pk]),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, "Tuesday 3 March 2026, 10:30am to 12:30pm")
                self.assertNotContains(response, "10:30 to 12:30")
