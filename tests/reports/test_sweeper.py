"""Report requests survive the broker being down and workers dying: the row is the source of
truth, and reports.services.report_requests_sweep (beat, every 30 s) gives every unfinished
request a live task. No broker or worker here: `.delay` is patched, tasks are called directly.
"""

import datetime
from unittest import mock

import time_machine
from django.conf import settings
from django.test import SimpleTestCase, override_settings
from django.urls import reverse
from kombu.exceptions import OperationalError

from meetings.models import Attendance
from reports.models import ReportRequest
from reports.services import report_build, report_requests_sweep
from reports.tasks import report_requests_sweep as report_requests_sweep_task
from tests.base import BaseTestCase
from tests.factories import MeetingFactory

Status = ReportRequest.Status
DELAY = "reports.tasks.report_build.delay"
NOW = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)
BROKER_DOWN = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def ago(**kwargs) -> datetime.datetime:
    return NOW - datetime.timedelta(**kwargs)


@time_machine.travel(NOW, tick=False)
@override_settings(TASK_LOST_AFTER_SECONDS=300, REPORT_LEASE_SECONDS=420, REPORT_MAX_ATTEMPTS=2)
class SweeperTestCase(BaseTestCase):
    def report(self, **fields) -> ReportRequest:
        report = ReportRequest.objects.create(
            kind=ReportRequest.Kind.ANNUAL, year=2026, requested_by=self.manager_mo
        )
        # created_at is auto_now_add: set the rest afterwards.
        ReportRequest.objects.filter(pk=report.pk).update(**fields)
        report.refresh_from_db()
        return report

    def sweep(self, *, delay_side_effect=None) -> tuple[dict, list[int]]:
        """Run the sweeper's task as beat would; returns its counts and the ids it enqueued."""
        with (
            mock.patch(DELAY, side_effect=delay_side_effect) as delay,
            self.captureOnCommitCallbacks(execute=True),
        ):
            counts = report_requests_sweep_task()
        return counts, [c.args[0] for c in delay.call_args_list]


class BrokerDownTest(SweeperTestCase):
    def test_mo_asks_for_a_report_while_redis_is_down_and_is_told_it_is_queued(self) -> None:
        self.client.force_login(self.manager_mo)
        with (
            # The log is written when the on-commit callbacks run, as the next block exits.
            self.assertLogs("ascru_pie.celery", "WARNING") as logs,
            mock.patch(DELAY, side_effect=BROKER_DOWN) as delay,
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = self.client.post("/reports/requests/", {"kind": "annual", "year": "2025"})
        self.assertRedirects(response, reverse("reports:home"), fetch_redirect_response=False)
        delay.assert_called_once()
        report = ReportRequest.objects.get()
        # Queued, and marked as having no task, so the sweeper knows to send one.
        self.assertEqual((report.status, report.task_due_at), (Status.QUEUED, None))
        self.assertIn("The broker did not take reports.tasks.report_build", logs.output[0])
        page = self.client.get(reverse("reports:home"))
        self.assertContains(page, "Queued: it will be made in a moment")

    def test_alice_asks_for_her_certificate_while_redis_is_down(self) -> None:
        # A certificate needs some involvement (tests/reports/test_certificate_refusal.py).
        Attendance.objects.create(
            meeting=MeetingFactory(), advisor=self.alice, status=Attendance.Status.ATTENDED
        )
        self.client.force_login(self.advisor_alice)
        with (
            self.assertLogs("ascru_pie.celery", "WARNING"),
            mock.patch(DELAY, side_effect=BROKER_DOWN),
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = self.client.post(
                reverse("reports:portal"), {"document": "certificate"}, follow=True
            )
        self.assertContains(response, "We are making your certificate of involvement.")
        self.assertEqual(ReportRequest.objects.get().task_due_at, None)

    def test_try_again_while_redis_is_down_queues_it_for_the_sweeper(self) -> None:
        report = self.report(status=Status.FAILED, error="ValueError: no data")
        self.client.force_login(self.manager_mo)
        with (
            self.assertLogs("ascru_pie.celery", "WARNING"),
            mock.patch(DELAY, side_effect=BROKER_DOWN),
            self.captureOnCommitCallbacks(execute=True),
        ):
            self.client.post(reverse("reports:retry", args=[report.pk]))
        report.refresh_from_db()
        self.assertEqual((report.status, report.task_due_at), (Status.QUEUED, None))

    def test_the_sweeper_sends_what_the_broker_did_not_take_once_it_is_back(self) -> None:
        unsent = [self.report(task_due_at=None) for _ in range(3)]
        counts, sent = self.sweep()
        self.assertEqual(sent, [r.pk for r in unsent])
        self.assertEqual(counts, {"requeued": 0, "failed": 0, "sent": 3})
        self.assertEqual(set(ReportRequest.objects.values_list("task_due_at", flat=True)), {NOW})
        # Running it again (or overlapping) sends nothing more: they have a live task now.
        self.assertEqual(self.sweep()[1], [])

    def test_a_sweep_while_the_broker_is_still_down_stops_at_the_first_failure(self) -> None:
        for _ in range(3):
            self.report(task_due_at=None)
        with self.assertLogs("ascru_pie.celery", "WARNING") as logs:
            counts, tried = self.sweep(delay_side_effect=BROKER_DOWN)
        self.assertEqual(len(tried), 1)  # the other two are not tried against a dead broker
        self.assertIn("and 2 more", logs.output[0])
        self.assertEqual(set(ReportRequest.objects.values_list("task_due_at", flat=True)), {None})
        self.assertEqual(len(self.sweep()[1]), 3)  # the next sweep sends all three

    def test_a_task_due_long_ago_that_never_started_is_sent_again(self) -> None:
        # Redis restarted empty: the task it held is gone, but the row says queued.
        lost = self.report(task_due_at=ago(minutes=6))
        self.report(task_due_at=ago(minutes=4))  # still within TASK_LOST_AFTER: has its task
        self.assertEqual(self.sweep()[1], [lost.pk])

    def test_running_done_and_failed_requests_are_not_sent(self) -> None:
        self.report(status=Status.RUNNING, started_at=ago(minutes=1), task_due_at=None)
        self.report(status=Status.DONE, task_due_at=None)
        self.report(status=Status.FAILED, task_due_at=None)
        self.assertEqual(self.sweep()[1], [])

    def test_a_spare_task_from_the_sweeper_builds_nothing_twice(self) -> None:
        report = self.report(status=Status.DONE, task_due_at=None)
        self.assertEqual(report_build(request_id=report.pk), "skipped")


class LeaseTest(SweeperTestCase):
    def test_a_report_whose_worker_died_is_made_again_after_its_lease(self) -> None:
        report = self.report(status=Status.RUNNING, started_at=ago(minutes=8), attempts=1)
        counts, sent = self.sweep()
        self.assertEqual(counts, {"requeued": 1, "failed": 0, "sent": 1})
        self.assertEqual(sent, [report.pk])
        report.refresh_from_db()
        self.assertEqual((report.status, report.started_at), (Status.QUEUED, None))

        self.assertEqual(report_build(request_id=report.pk), "done")
        report.refresh_from_db()
        self.assertEqual((report.status, report.attempts), (Status.DONE, 2))

    def test_a_report_still_within_its_lease_is_left_alone(self) -> None:
        report = self.report(status=Status.RUNNING, started_at=ago(minutes=6), attempts=1)
        self.assertEqual(self.sweep(), ({"requeued": 0, "failed": 0, "sent": 0}, []))
        report.refresh_from_db()
        self.assertEqual(report.status, Status.RUNNING)

    def test_after_two_dead_workers_it_fails_with_the_reason_and_try_again_works(self) -> None:
        report = self.report(status=Status.RUNNING, started_at=ago(minutes=8), attempts=2)
        counts, sent = self.sweep()
        self.assertEqual((counts, sent), ({"requeued": 0, "failed": 1, "sent": 0}, []))
        report.refresh_from_db()
        self.assertEqual(report.status, Status.FAILED)
        self.assertEqual(
            report.error,
            "The worker making it stopped before it finished, 2 times (it may have run out of "
            "memory). Please try again later.",
        )
        self.assertEqual(report.finished_at, NOW)

        self.client.force_login(self.manager_mo)
        page = self.client.get(reverse("reports:home"))
        self.assertContains(page, "Failed: The worker making it stopped before it finished")
        self.assertContains(page, f'id="retry-{report.pk}"')
        with mock.patch(DELAY) as delay, self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("reports:retry", args=[report.pk]), follow=True)
        self.assertContains(response, "We are trying again to make it.")
        delay.assert_called_once_with(report.pk)
        report.refresh_from_db()
        self.assertEqual((report.status, report.attempts, report.error), (Status.QUEUED, 0, ""))

    def test_an_advisor_sees_plain_words_for_a_document_whose_worker_died(self) -> None:
        report = self.report(
            kind=ReportRequest.Kind.CERTIFICATE,
            advisor=self.alice,
            requested_by=self.advisor_alice,
            status=Status.RUNNING,
            started_at=ago(minutes=8),
            attempts=2,
        )
        self.sweep()
        self.client.force_login(self.advisor_alice)
        page = self.client.get(reverse("reports:portal"))
        self.assertContains(page, "Failed: something went wrong while making it.")
        self.assertNotContains(page, "worker")
        self.assertContains(page, f'id="retry-{report.pk}"')

    def test_a_worker_whose_lease_ran_out_does_not_overwrite_the_next_one(self) -> None:
        report = self.report()

        def slow_render(request):
            # While this worker renders, its lease runs out and another worker claims it.
            ReportRequest.objects.filter(pk=report.pk).update(attempts=2)
            return b"%PDF-1.4 late", 1

        with mock.patch("reports.services.render_report", side_effect=slow_render):
            self.assertEqual(report_build(request_id=report.pk), "superseded")
        report.refresh_from_db()
        self.assertEqual(
            (report.status, report.attempts, report.file.name), (Status.RUNNING, 2, "")
        )

    def test_the_sweeper_runs_twice_safely(self) -> None:
        self.report(status=Status.RUNNING, started_at=ago(minutes=8), attempts=1)
        self.report(status=Status.RUNNING, started_at=ago(minutes=8), attempts=2)
        first = self.sweep()
        second = self.sweep()
        self.assertEqual(first[0], {"requeued": 1, "failed": 1, "sent": 1})
        self.assertEqual(second, ({"requeued": 0, "failed": 0, "sent": 0}, []))

    def test_the_service_takes_the_time_to_sweep_at(self) -> None:
        report = self.report(status=Status.RUNNING, started_at=NOW, attempts=1)
        with mock.patch(DELAY), self.captureOnCommitCallbacks(execute=True):
            counts = report_requests_sweep(now=NOW + datetime.timedelta(seconds=421))
        self.assertEqual(counts["requeued"], 1)
        report.refresh_from_db()
        self.assertEqual(report.status, Status.QUEUED)


class ScheduleTest(SimpleTestCase):
    def test_beat_runs_the_sweeper_every_30_seconds_and_drops_a_stale_one(self) -> None:
        # Every 30 s: with a worker's reconnect taking up to 30 s, work drains within a minute.
        self.assertEqual(
            settings.CELERY_BEAT_SCHEDULE["reports-sweep"],
            {
                "task": "reports.tasks.report_requests_sweep",
                "schedule": 30.0,
                "options": {"expires": 25},
            },
        )
