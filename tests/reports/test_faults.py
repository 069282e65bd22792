"""Work is never lost when a part fails, with a real worker and a Redis of the test's own.

- Redis stops: asking for a report still answers (the row says queued), and so does /healthz;
  reminders due meanwhile wait as pending. Redis comes back, the sweepers run, and the worker
  makes the PDF and sends every reminder.
- The worker is killed (SIGKILL) while making a report: after the report's lease the sweeper
  queues it again, and the next worker makes it.

The worker is a separate process sharing the test database, so these need PostgreSQL.
"""

import datetime
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from ascru_pie.roles import Role
from reminders.models import Delivery
from reminders.tasks import deliveries_sweep, reminders_run
from reports.models import ReportRequest
from reports.services import report_request
from reports.tasks import report_requests_sweep
from tests.base import ensure_roles, make_user
from tests.factories import AdvisorFactory, MeetingFactory, invite
from tests.worker import (
    app_broker,
    celery_worker,
    database_url_for_worker,
    free_port,
    redis_start,
    redis_stop,
    skip_unless_worker_possible,
    wait_for,
    wait_until_consuming,
)

Status = ReportRequest.Status


class FaultTestCase(TransactionTestCase):
    def setUp(self) -> None:
        skip_unless_worker_possible(self, "worker fault test")
        ensure_roles()
        self.mo = make_user("mo", Role.MANAGER)
        # The test settings put uploads in a new tempfile.mkdtemp() in each process; a TMPDIR
        # of our own lets us find the worker's one and the PDFs it saved.
        self.worker_tmp = tempfile.mkdtemp(prefix="report-faults-")
        self.addCleanup(shutil.rmtree, self.worker_tmp, ignore_errors=True)
        self.port = free_port()
        self.broker_url = f"redis://127.0.0.1:{self.port}/0"
        self.redis = redis_start(self.port)
        self.addCleanup(lambda: self.redis.poll() is None and redis_stop(self.redis))
        broker = app_broker(self.broker_url)
        broker.__enter__()
        self.addCleanup(broker.__exit__, None, None, None)

    def worker(self):
        return celery_worker(
            queue="celery", broker_url=self.broker_url, extra_env={"TMPDIR": self.worker_tmp}
        )

    def status(self, report: ReportRequest) -> str:
        report.refresh_from_db()
        return report.status

    def assert_pdf_saved(self, report: ReportRequest) -> None:
        report.refresh_from_db()
        saved = list(Path(self.worker_tmp).glob(f"ascru-test-private-*/{report.file.name}"))
        self.assertEqual(len(saved), 1, f"no {report.file.name} under {self.worker_tmp}")
        self.assertTrue(saved[0].read_bytes().startswith(b"%PDF"))


@pytest.mark.worker
class BrokerOutageTest(FaultTestCase):
    def test_a_report_and_reminders_due_while_redis_is_down_are_done_when_it_is_back(
        self,
    ) -> None:
        # Fourteen advisors confirmed for a meeting a week from now: fourteen reminders due.
        week = timezone.localtime().replace(hour=12, minute=0) + datetime.timedelta(days=7)
        meeting = MeetingFactory(title="PIEG summer meeting", starts_at=week)
        invite(meeting, *AdvisorFactory.create_batch(14))
        self.client.force_login(self.mo)
        # The first request in a process loads the URLconf and views: not what is timed here.
        self.client.get(reverse("reports:home"))

        with self.worker() as worker:
            wait_until_consuming(self.port, worker)
            redis_stop(self.redis)

            # Mo asks for a report: the page answers at once and says it is queued.
            started = time.monotonic()
            response = self.client.post(
                reverse("reports:request"), {"kind": "annual", "year": "2026"}
            )
            asked_in = time.monotonic() - started
            self.assertRedirects(response, reverse("reports:home"), fetch_redirect_response=False)
            self.assertLess(asked_in, 1.0)
            self.assertContains(
                self.client.get(reverse("reports:home")), "Queued: it will be made in a moment"
            )
            report = ReportRequest.objects.get()
            self.assertEqual((report.status, report.task_due_at), (Status.QUEUED, None))

            # /healthz says the broker is down, quickly.
            started = time.monotonic()
            health = self.client.get("/healthz")
            health_in = time.monotonic() - started
            self.assertEqual(health.json()["broker"]["status"], "error")
            self.assertLess(health_in, 0.5)

            # The hourly reminders run (a worker had it when Redis went): all 14 wait.
            self.assertEqual(reminders_run(), 14)
            pending = Delivery.objects.filter(status=Delivery.Status.PENDING, task_due_at=None)
            self.assertEqual(pending.count(), 14)

            self.redis = redis_start(self.port)
            back = time.monotonic()
            # Beat runs the sweepers every 30 s; here, once, at once.
            self.assertEqual(report_requests_sweep()["sent"], 1)
            self.assertEqual(deliveries_sweep(), 14)

            sent = Delivery.objects.filter(status=Delivery.Status.SENT)
            drained = wait_for(
                lambda: self.status(report) == Status.DONE and sent.count() == 14,
                timeout=60,
                process=worker,
            )
            drain_in = time.monotonic() - back
            self.assertTrue(
                drained,
                f"after 60 s: report {report.status} {report.error}, {sent.count()} of 14 sent",
            )
        print(
            f"\nbroker outage: request {asked_in:.2f} s, /healthz {health_in:.3f} s, drained "
            f"{drain_in:.1f} s after Redis came back; lost: 0 of 1 report, 0 of 14 reminders"
        )
        self.assertNotIn("Traceback", worker.output)
        self.assert_pdf_saved(report)


@pytest.mark.worker
class KilledWorkerTest(FaultTestCase):
    def test_a_report_whose_worker_is_killed_mid_task_is_made_again_after_its_lease(
        self,
    ) -> None:
        # Lock tables the annual report reads, from a connection of our own, so that the worker
        # is certainly in the middle of the task (claimed, not finished) when it is killed.
        # Not the tables the request row refers to: asking for the report needs those.
        blocker = psycopg.connect(database_url_for_worker(), autocommit=False)
        self.addCleanup(blocker.close)
        blocker.execute("LOCK TABLE meetings_meeting, payments_claim IN ACCESS EXCLUSIVE MODE")
        # Should this test's own queries ever need those locks, fail rather than hang.
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '10s'")
        with self.worker() as first:
            report = report_request(kind="annual", by=self.mo, year=2026)
            self.assertTrue(
                wait_for(lambda: self.status(report) == Status.RUNNING, timeout=30, process=first)
            )
            waiting = (
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            self.assertTrue(
                wait_for(lambda: blocker.execute(waiting).fetchone()[0] > 0, timeout=10)
            )
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            killed = time.monotonic()
        blocker.rollback()
        self.assertEqual(first.returncode, -signal.SIGKILL)
        report.refresh_from_db()
        self.assertEqual((report.status, report.attempts), (Status.RUNNING, 1))

        with override_settings(REPORT_LEASE_SECONDS=1):
            # Within its lease the sweeper leaves it alone; after it, it is queued again.
            with override_settings(REPORT_LEASE_SECONDS=60):
                self.assertEqual(report_requests_sweep()["requeued"], 0)
            time.sleep(max(0.0, 1.1 - (time.monotonic() - killed)))
            self.assertEqual(report_requests_sweep(), {"requeued": 1, "failed": 0, "sent": 1})
        self.assertEqual(self.status(report), Status.QUEUED)

        with self.worker() as second:
            self.assertTrue(
                wait_for(lambda: self.status(report) == Status.DONE, timeout=60, process=second),
                f"the second worker did not make it: {report.status} {report.error}",
            )
        self.assertNotIn("Traceback", second.output)
        self.assertEqual(report.attempts, 2)
        self.assert_pdf_saved(report)
        print("\nkilled worker: made again after the lease; lost: 0 of 1 report")
