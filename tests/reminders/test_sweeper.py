"""Reminder emails survive the broker being down and workers dying: reminders.services.
deliveries_sweep (beat, every 30 s) sends every email delivery that has no live task.
No broker or worker here: `.delay` is patched, tasks are called directly.
"""

import datetime
from unittest import mock

import time_machine
from django.conf import settings
from django.core import mail
from django.test import SimpleTestCase, override_settings
from kombu.exceptions import OperationalError

from reminders.models import Delivery
from reminders.tasks import deliveries_sweep, delivery_send, reminders_run
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory, MeetingFactory, invite

NOW = datetime.datetime(2026, 6, 1, 9, 5, tzinfo=datetime.UTC)
DELAY = "reminders.tasks.delivery_send.delay"
BROKER_DOWN = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def ago(**kwargs) -> datetime.datetime:
    return NOW - datetime.timedelta(**kwargs)


@time_machine.travel(NOW, tick=False)
@override_settings(TASK_LOST_AFTER_SECONDS=300)
class DeliveriesSweepTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Fourteen advisors confirmed for a meeting a week from now: fourteen reminders due.
        self.meeting = MeetingFactory(
            title="PIEG summer meeting",
            starts_at=NOW.replace(hour=10, minute=0) + datetime.timedelta(days=7),
        )
        self.advisors = AdvisorFactory.create_batch(14)
        invite(self.meeting, *self.advisors)
        # Alice and Bob were at a meeting last week, so no check-in is due for them.
        invite(MeetingFactory(starts_at=ago(days=10)), self.alice, self.bob)

    def beat_while_redis_is_down(self) -> int:
        with (
            self.assertLogs("ascru_pie.celery", "WARNING"),
            mock.patch(DELAY, side_effect=BROKER_DOWN) as delay,
            self.captureOnCommitCallbacks(execute=True),
        ):
            new = reminders_run()
        delay.assert_called_once()  # the first failure stops the rest being tried
        return new

    def sweep(self, *, send: bool = True) -> list[int]:
        """The sweeper's task as beat runs it; with `send`, a worker sends what it enqueued."""
        side_effect = (lambda pk: delivery_send(pk)) if send else None
        with (
            mock.patch(DELAY, side_effect=side_effect) as delay,
            self.captureOnCommitCallbacks(execute=True),
        ):
            count = deliveries_sweep()
        enqueued = [c.args[0] for c in delay.call_args_list]
        self.assertEqual(count, len(enqueued))
        return enqueued

    def meeting_mail(self) -> list:
        return [m for m in mail.outbox if "PIEG summer meeting" in m.subject]

    def test_reminders_due_while_redis_is_down_are_all_sent_when_it_is_back(self) -> None:
        self.assertEqual(self.beat_while_redis_is_down(), 14)
        pending = Delivery.objects.filter(kind="meeting-7d")
        self.assertEqual(
            set(pending.values_list("status", "task_due_at")), {(Delivery.Status.PENDING, None)}
        )
        self.assertEqual(len(self.sweep()), 14)
        self.assertEqual(set(pending.values_list("status", flat=True)), {Delivery.Status.SENT})
        self.assertEqual(
            sorted(to for m in self.meeting_mail() for to in m.to),
            sorted(a.email for a in self.advisors),
        )

    def test_sweeping_twice_sends_each_reminder_once(self) -> None:
        self.beat_while_redis_is_down()
        self.assertEqual(len(self.sweep()), 14)
        self.assertEqual(self.sweep(), [])
        self.assertEqual(len(self.meeting_mail()), 14)

    def test_overlapping_sweeps_send_each_reminder_once(self) -> None:
        # Two sweeps both enqueue (say the first's tasks had not run when the second began):
        # each send is claimed once, so the spare tasks send nothing.
        self.beat_while_redis_is_down()
        first = self.sweep(send=False)
        Delivery.objects.update(task_due_at=None)
        second = self.sweep(send=False)
        self.assertEqual(sorted(first), sorted(second))
        results = [delivery_send(pk) for pk in first + second]
        self.assertEqual((results.count("sent"), results.count("skipped")), (14, 14))
        self.assertEqual(len(self.meeting_mail()), 14)

    def test_a_reminder_sent_normally_is_left_to_its_task(self) -> None:
        with mock.patch(DELAY), self.captureOnCommitCallbacks(execute=True):
            reminders_run()
        self.assertEqual(set(Delivery.objects.values_list("task_due_at", flat=True)), {NOW})
        self.assertEqual(self.sweep(), [])

    def test_a_task_lost_with_redis_is_sent_again_after_five_minutes(self) -> None:
        with mock.patch(DELAY), self.captureOnCommitCallbacks(execute=True):
            reminders_run()
        lost = Delivery.objects.first()
        Delivery.objects.filter(pk=lost.pk).update(task_due_at=ago(minutes=6))
        Delivery.objects.exclude(pk=lost.pk).update(task_due_at=ago(minutes=4))
        self.assertEqual(self.sweep(), [lost.pk])

    def test_a_send_claimed_by_a_worker_that_died_is_sent_after_fifteen_minutes(self) -> None:
        with mock.patch(DELAY), self.captureOnCommitCallbacks(execute=True):
            reminders_run()
        dead, busy = Delivery.objects.all()[:2]
        Delivery.objects.update(status=Delivery.Status.SENT)
        Delivery.objects.filter(pk=dead.pk).update(
            status=Delivery.Status.SENDING, claimed_at=ago(minutes=16), task_due_at=ago(minutes=16)
        )
        Delivery.objects.filter(pk=busy.pk).update(
            status=Delivery.Status.SENDING, claimed_at=ago(minutes=2), task_due_at=ago(minutes=2)
        )
        self.assertEqual(self.sweep(), [dead.pk])
        dead.refresh_from_db()
        self.assertEqual(dead.status, Delivery.Status.SENT)
        busy.refresh_from_db()
        self.assertEqual(busy.status, Delivery.Status.SENDING)

    def test_a_failed_send_waiting_for_its_retry_is_not_hurried(self) -> None:
        with mock.patch(DELAY), self.captureOnCommitCallbacks(execute=True):
            reminders_run()
        delivery = Delivery.objects.first()
        Delivery.objects.exclude(pk=delivery.pk).update(status=Delivery.Status.SENT)
        with (
            mock.patch(
                "django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionError("SMTP")
            ),
            mock.patch.object(delivery_send, "retry", side_effect=RuntimeError("retry")) as retry,
            self.assertRaisesMessage(RuntimeError, "retry"),
        ):
            delivery_send(delivery.pk)
        self.assertEqual(retry.call_args.kwargs["countdown"], 60)
        delivery.refresh_from_db()
        self.assertEqual(delivery.task_due_at, NOW + datetime.timedelta(minutes=1))
        self.assertEqual(self.sweep(), [])  # the retry is due in a minute: its task is live
        with time_machine.travel(NOW + datetime.timedelta(minutes=7), tick=False):
            self.assertEqual(self.sweep(), [delivery.pk])  # the retry is overdue: lost

    def test_call_and_post_deliveries_are_not_swept(self) -> None:
        for advisor in self.advisors:
            advisor.contact_method = "phone"
            advisor.phone = "01632 960 001"
            advisor.save()
        with mock.patch(DELAY) as delay, self.captureOnCommitCallbacks(execute=True):
            reminders_run()
        delay.assert_not_called()
        # Each phone invitee's meeting reminder, and the call to invite them in the first place.
        listed = Delivery.objects.filter(status=Delivery.Status.LISTED)
        self.assertEqual(listed.exclude(kind="invite").count(), 14)
        self.assertEqual(listed.filter(kind="invite").count(), 14)
        self.assertEqual(self.sweep(), [])


class ScheduleTest(SimpleTestCase):
    def test_beat_runs_the_sweeper_every_30_seconds_and_drops_a_stale_one(self) -> None:
        self.assertEqual(
            settings.CELERY_BEAT_SCHEDULE["deliveries-sweep"],
            {
                "task": "reminders.tasks.deliveries_sweep",
                "schedule": 30.0,
                "options": {"expires": 25},
            },
        )
