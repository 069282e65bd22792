"""Reminder selection per rule, with frozen time; a reminder is sent once however often beat fires."""

import datetime
from decimal import Decimal
from unittest import mock

import time_machine
from django.core import mail
from django.test import override_settings

from impacts.models import Survey, SurveyReceipt
from meetings.models import Invitation
from payments.models import Claim
from projects.models import PIEPlan
from reminders import services as reminders
from reminders.models import Delivery
from reminders.tasks import contact_list_send, delivery_send, reminders_run
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory, MeetingFactory, ProjectFactory, add_member, invite

NOW = datetime.datetime(2026, 6, 1, 9, 5, tzinfo=datetime.UTC)


def at(days: float, hour: int = 10) -> datetime.datetime:
    base = NOW.replace(hour=hour, minute=0)
    return base + datetime.timedelta(days=days)


def keys(rule) -> set[str]:
    return {r.key for r in rule(NOW)}


@time_machine.travel(NOW, tick=False)
class ReminderRulesTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Make Alice and Bob recently active so the inactivity rule leaves them alone.
        self.recent = MeetingFactory(
            starts_at=at(-10), ends_at=at(-10) + datetime.timedelta(hours=1)
        )
        invite(self.recent, self.alice, self.bob)

    def test_meeting_reminders_7_and_1_days_before_to_confirmed_attendees_only(self) -> None:
        in_7 = MeetingFactory(starts_at=at(7), ends_at=at(7) + datetime.timedelta(hours=2))
        in_1 = MeetingFactory(starts_at=at(1), ends_at=at(1) + datetime.timedelta(hours=2))
        in_3 = MeetingFactory(starts_at=at(3), ends_at=at(3) + datetime.timedelta(hours=2))
        invite(in_7, self.alice)
        invite(in_7, self.bob, rsvp=Invitation.RSVP.NO)
        invite(in_1, self.bob)
        invite(in_3, self.alice)
        self.assertEqual(
            keys(reminders.meeting_reminders),
            {
                f"meeting-7d:meeting-{in_7.pk}:advisor-{self.alice.pk}",
                f"meeting-1d:meeting-{in_1.pk}:advisor-{self.bob.pk}",
            },
        )

    def test_rsvp_chasers_for_unanswered_invitations_a_few_days_old(self) -> None:
        soon = MeetingFactory(starts_at=at(5), ends_at=at(5) + datetime.timedelta(hours=1))
        old, new = (
            invite(soon, self.alice, rsvp="pending")[0],
            invite(soon, self.bob, rsvp="pending")[0],
        )
        Invitation.objects.filter(pk=old.pk).update(invited_at=NOW - datetime.timedelta(days=4))
        Invitation.objects.filter(pk=new.pk).update(invited_at=NOW - datetime.timedelta(days=1))
        self.assertEqual(
            keys(reminders.rsvp_chasers), {f"rsvp-chase:meeting-{soon.pk}:advisor-{self.alice.pk}"}
        )

    def test_agenda_deadline_reminders_within_two_days(self) -> None:
        m = MeetingFactory(
            starts_at=at(6), ends_at=at(6) + datetime.timedelta(hours=1), agenda_deadline=at(1)
        )
        far = MeetingFactory(
            starts_at=at(20), ends_at=at(20) + datetime.timedelta(hours=1), agenda_deadline=at(10)
        )
        invite(m, self.alice)
        invite(m, self.bob, rsvp="no")
        invite(far, self.alice)
        self.assertEqual(
            keys(reminders.agenda_deadline_reminders),
            {f"agenda-deadline:meeting-{m.pk}:advisor-{self.alice.pk}"},
        )

    @override_settings(REMINDER_CLAIMS_WAITING_DAYS=7)
    def test_pie_team_digest_when_claims_or_plans_wait_too_long(self) -> None:
        self.assertEqual(keys(reminders.pie_team_digest), set())
        claim = Claim.objects.create(
            advisor=self.alice,
            kind="expense",
            description="Bus",
            activity_date=datetime.date(2026, 5, 1),
            amount=Decimal("3.00"),
        )
        Claim.objects.filter(pk=claim.pk).update(created_at=NOW - datetime.timedelta(days=8))
        items = list(reminders.pie_team_digest(NOW))
        self.assertEqual([r.user for r in items], [self.staff_sam])
        self.assertEqual(items[0].context["waiting"], 1)
        self.assertEqual(items[0].key, f"pie-digest:2026-06-01:user-{self.staff_sam.pk}")

    def test_plans_waiting_for_review_are_in_the_digest(self) -> None:
        project = ProjectFactory()
        PIEPlan.objects.create(
            project=project, status="submitted", submitted_at=NOW - datetime.timedelta(days=11)
        )
        self.assertEqual(list(reminders.pie_team_digest(NOW))[0].context["plans"], 1)

    def test_impact_prompt_two_days_after_a_project_meeting_to_the_lead(self) -> None:
        project = ProjectFactory()
        add_member(project, self.researcher_rita, role="lead")
        m = MeetingFactory(project=project, starts_at=at(-2, 10), ends_at=at(-2, 12))
        MeetingFactory(project=project, starts_at=at(-3, 10), ends_at=at(-3, 12))
        self.assertEqual(
            keys(reminders.impact_prompts),
            {f"impact-prompt:meeting-{m.pk}:user-{self.researcher_rita.pk}"},
        )

    def test_friendly_check_in_after_90_days_without_involvement(self) -> None:
        quiet = AdvisorFactory(first_name="Quentin", joined_on=datetime.date(2025, 1, 1))
        new = AdvisorFactory(first_name="Nora", joined_on=datetime.date(2026, 5, 1))
        left = AdvisorFactory(first_name="Len", status="left", joined_on=datetime.date(2025, 1, 1))
        found = {r.advisor for r in reminders.inactive_checkins(NOW)}
        self.assertIn(quiet, found)
        self.assertNotIn(new, found)
        self.assertNotIn(left, found)
        self.assertNotIn(self.alice, found)

    def test_one_check_in_per_spell_without_involvement(self) -> None:
        quiet = AdvisorFactory(first_name="Quentin", joined_on=datetime.date(2025, 1, 1))
        first = {r.key for r in reminders.inactive_checkins(NOW) if r.advisor == quiet}
        later = {
            r.key
            for r in reminders.inactive_checkins(NOW + datetime.timedelta(days=95))
            if r.advisor == quiet
        }
        self.assertEqual(first, later)  # still the same spell: the same key, so no second email

    def test_annual_survey_invitation_to_those_who_have_not_answered(self) -> None:
        survey = Survey.objects.create(
            title="Annual 2026",
            kind="annual",
            opens_on=datetime.date(2026, 5, 20),
            closes_on=datetime.date(2026, 6, 30),
        )
        SurveyReceipt.objects.create(survey=survey, advisor=self.bob)
        found = {r.advisor for r in reminders.survey_invitations(NOW)}
        self.assertIn(self.alice, found)
        self.assertNotIn(self.bob, found)


@time_machine.travel(NOW, tick=False)
class ReminderDeliveryTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.meeting = MeetingFactory(
            title="PIEG summer meeting",
            starts_at=at(7),
            ends_at=at(7) + datetime.timedelta(hours=2),
            joining_details="Zoom link: https://example.org/j/123",
        )
        invite(self.meeting, self.alice)
        recent = MeetingFactory(starts_at=at(-10), ends_at=at(-10) + datetime.timedelta(hours=1))
        invite(recent, self.bob, self.alice)

    def run_beat(self) -> list[int]:
        """The hourly task, then a worker for what it enqueued; returns the enqueued ids."""
        # The patch must still be in place when the on-commit callbacks run.
        with mock.patch("reminders.tasks.delivery_send.delay") as delay:
            with self.captureOnCommitCallbacks(execute=True):
                new = reminders_run()
                delay.assert_not_called()  # nothing is sent before the claims are committed
        enqueued = [call.args[0] for call in delay.call_args_list]
        self.assertEqual(len(enqueued), new)
        for pk in enqueued:
            delivery_send(pk)
        return enqueued

    def test_running_the_reminder_task_twice_sends_once(self) -> None:
        first = self.run_beat()
        self.assertEqual(self.run_beat(), [])  # the second run finds nothing new to send
        self.assertEqual(
            sorted(first),
            sorted(Delivery.objects.filter(channel="email").values_list("pk", flat=True)),
        )
        sent = [m for m in mail.outbox if "PIEG summer meeting" in m.subject]
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent[0].to, [self.alice.email])
        self.assertIn("Zoom link: https://example.org/j/123", sent[0].body)
        delivery = Delivery.objects.get(kind="meeting-7d")
        self.assertEqual(
            (delivery.status, delivery.meeting, delivery.attempts), ("sent", self.meeting, 1)
        )

    def test_a_retried_send_does_not_send_again(self) -> None:
        self.run_beat()
        delivery = Delivery.objects.get(kind="meeting-7d")
        self.assertEqual(delivery_send(delivery.pk), "skipped")
        self.assertEqual(len([m for m in mail.outbox if "PIEG summer meeting" in m.subject]), 1)

    def test_people_who_prefer_phone_go_on_the_coordinators_list_instead(self) -> None:
        self.alice.contact_method = "phone"
        self.alice.phone = "01632 960 001"
        self.alice.save()
        self.run_beat()
        delivery = Delivery.objects.get(kind="meeting-7d")
        self.assertEqual(
            (delivery.channel, delivery.status, delivery.recipient),
            ("call", "listed", "01632 960 001"),
        )
        self.assertFalse([m for m in mail.outbox if "PIEG summer meeting" in m.subject])
        # Her reminder, and the call to invite her to the meeting in the first place.
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(contact_list_send(), 2)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(contact_list_send(), 0)  # once a day
        lists = [m for m in mail.outbox if m.subject.startswith("To call and to post")]
        self.assertEqual(len(lists), 1)
        self.assertIn(
            "Phone Alice Ashby on 01632 960 001: meeting reminder, 7 days before", lists[0].body
        )

    def test_a_failed_send_is_retried_with_backoff_then_shown_as_failed(self) -> None:
        with (
            mock.patch("reminders.tasks.delivery_send.delay"),
            self.captureOnCommitCallbacks(execute=True),
        ):
            reminders_run()
        delivery = Delivery.objects.get(kind="meeting-7d")
        with mock.patch(
            "django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionError("SMTP down")
        ):
            with mock.patch.object(
                delivery_send, "retry", side_effect=RuntimeError("retry")
            ) as retry:
                for _ in range(3):
                    with self.assertRaisesMessage(RuntimeError, "retry"):
                        delivery_send(delivery.pk)
                self.assertEqual(
                    [c.kwargs["countdown"] for c in retry.call_args_list], [60, 120, 240]
                )
                self.assertEqual(delivery_send(delivery.pk), "failed")
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), ("failed", 4))
        self.assertIn("SMTP down", delivery.error)

    def test_the_meeting_page_says_when_reminders_were_sent(self) -> None:
        self.run_beat()
        self.client.force_login(self.staff_sam)
        from django.urls import reverse

        response = self.client.get(reverse("meetings:detail", args=[self.meeting.pk]))
        self.assertContains(response, "Reminders")
        self.assertContains(response, "sent on 1 June 2026")


@time_machine.travel(NOW, tick=False)
class DeliveryClaimTest(BaseTestCase):
    """A send being made by one worker is not made again by another, unless that worker died."""

    def setUp(self) -> None:
        super().setUp()
        meeting = MeetingFactory(
            title="Claimed meeting", starts_at=at(7), ends_at=at(7) + datetime.timedelta(hours=1)
        )
        invite(meeting, self.alice)
        with (
            mock.patch("reminders.tasks.delivery_send.delay"),
            self.captureOnCommitCallbacks(execute=True),
        ):
            reminders_run()
        self.delivery = Delivery.objects.get(kind="meeting-7d")

    def test_a_send_in_progress_is_not_repeated(self) -> None:
        Delivery.objects.filter(pk=self.delivery.pk).update(
            status="sending", claimed_at=NOW - datetime.timedelta(minutes=2)
        )
        self.assertEqual(delivery_send(self.delivery.pk), "skipped")
        self.assertFalse([m for m in mail.outbox if "Claimed meeting" in m.subject])

    def test_a_send_left_by_a_dead_worker_is_picked_up(self) -> None:
        Delivery.objects.filter(pk=self.delivery.pk).update(
            status="sending", claimed_at=NOW - datetime.timedelta(minutes=30)
        )
        self.assertEqual(delivery_send(self.delivery.pk), "sent")
        self.assertEqual(len([m for m in mail.outbox if "Claimed meeting" in m.subject]), 1)
