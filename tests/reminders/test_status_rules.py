"""Paused and Left advisors get no reminders of any kind: every rule, through the task."""

import datetime
from unittest import mock

import time_machine

from advisors.models import Advisor, ContactMethod
from meetings.models import Invitation
from reminders import services
from reminders.models import Delivery
from reminders.tasks import reminders_run
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory, MeetingFactory, make_survey

NOW = datetime.datetime(2026, 6, 1, 9, 5, tzinfo=datetime.UTC)
LONG_AGO = NOW - datetime.timedelta(days=100)

# Every rule about an advisor, and the reminder Dee would get from it if she were Active.
EXPECTED_KINDS = {
    "meeting-7d",  # meeting_reminders: she said yes to a meeting in 7 days
    "rsvp-chase",  # rsvp_chasers: she has not answered an invitation for 100 days
    "agenda-deadline",  # agenda_deadline_reminders: the agenda closes tomorrow
    "checkin",  # inactive_checkins: invited 100 days ago, nothing since
    "survey",  # survey_invitations: the annual survey is open
    "invite",  # invitation_contacts: she prefers phone, so she is on the call list
}


@time_machine.travel(NOW, tick=False)
class StatusRulesTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Alice and Bob have been involved lately, so only Dee is inactive.
        recent = MeetingFactory(starts_at=NOW - datetime.timedelta(days=10))
        for advisor in (self.alice, self.bob):
            Invitation.objects.create(meeting=recent, advisor=advisor, invited_at=NOW)
        self.dee = AdvisorFactory(
            first_name="Dee", contact_method=ContactMethod.PHONE, phone="01234 000000"
        )
        in_7 = MeetingFactory(starts_at=NOW + datetime.timedelta(days=7, hours=1))
        in_5 = MeetingFactory(
            starts_at=NOW + datetime.timedelta(days=5),
            agenda_deadline=NOW + datetime.timedelta(days=1),
        )
        Invitation.objects.create(
            meeting=in_7, advisor=self.dee, rsvp=Invitation.RSVP.YES, invited_at=LONG_AGO
        )
        Invitation.objects.create(meeting=in_5, advisor=self.dee, invited_at=LONG_AGO)
        make_survey()

    def kinds_for_dee(self) -> set[str]:
        with mock.patch("reminders.tasks.delivery_send.delay"):
            with self.captureOnCommitCallbacks(execute=True):
                reminders_run()
        return set(Delivery.objects.filter(advisor=self.dee).values_list("kind", flat=True))

    def test_an_active_advisor_gets_every_kind_of_reminder(self) -> None:
        self.assertEqual(self.kinds_for_dee(), EXPECTED_KINDS)

    def test_paused_and_left_advisors_get_none(self) -> None:
        for status in (Advisor.Status.PAUSED, Advisor.Status.LEFT):
            with self.subTest(status=status):
                Delivery.objects.all().delete()
                Advisor.objects.filter(pk=self.dee.pk).update(status=status)
                self.assertEqual(self.kinds_for_dee(), set())

    def test_each_rule_leaves_out_paused_and_left_advisors(self) -> None:
        rules = [
            services.meeting_reminders,
            services.rsvp_chasers,
            services.agenda_deadline_reminders,
            services.inactive_checkins,
            services.survey_invitations,
            services.invitation_contacts,
        ]
        for status in (Advisor.Status.PAUSED, Advisor.Status.LEFT):
            Advisor.objects.filter(pk=self.dee.pk).update(status=status)
            for rule in rules:
                with self.subTest(status=status, rule=rule.__name__):
                    self.assertEqual([r for r in rule(NOW) if r.advisor.pk == self.dee.pk], [])
