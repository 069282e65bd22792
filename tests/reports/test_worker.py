"""A report asked for on the site is built by a real Celery worker, through the real broker."""

import datetime
import io
import shutil
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import TransactionTestCase
from pypdf import PdfReader

from ascru_pie.roles import Role
from meetings.services import AttendanceRow
from payments.models import Claim
from payments.services.attendance import attendance_confirm_and_pay
from reports.models import ReportRequest
from reports.services import report_request
from tests.base import ensure_roles, make_user
from tests.factories import AdvisorFactory, MeetingFactory, example_rate_card, invite, mark_paid
from tests.worker import (
    app_broker,
    celery_worker,
    free_port,
    redis_start,
    redis_stop,
    skip_unless_worker_possible,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.worker
class ReportWorkerTest(TransactionTestCase):
    """Starts `celery worker` on the default queue; asks for an annual report; reads the PDF."""

    def test_a_real_worker_builds_the_annual_report(self) -> None:
        skip_unless_worker_possible(self, "report worker test")

        ensure_roles()
        sam = make_user("sam", Role.PIE_TEAM, is_staff=True)
        alice = AdvisorFactory(first_name="Alice", last_name="Ashby")
        example_rate_card()
        # 2 h on 2 March 2026 + 1 h preparation at £27.50/h = £82.50, paid on 20 March.
        start = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
        meeting = MeetingFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
        invite(meeting, alice)
        attendance_confirm_and_pay(
            meeting=meeting,
            by=sam,
            rows=[
                AttendanceRow(
                    advisor_id=alice.pk, status="attended", preparation_hours=Decimal("1.00")
                )
            ],
        )
        mark_paid(*Claim.objects.all(), paid_on=datetime.date(2026, 3, 20))

        # The test settings put uploads in a new tempfile.mkdtemp() in each process; a TMPDIR of
        # our own lets us find the worker's one and read the PDF it saved.
        worker_tmp = tempfile.mkdtemp(prefix="report-worker-")
        self.addCleanup(shutil.rmtree, worker_tmp, ignore_errors=True)
        # A Redis of this test's own: no other test process's task can reach this worker, and
        # this process's broker connections are made afresh for it (tests.worker.app_broker).
        port = free_port()
        redis = redis_start(port)
        self.addCleanup(lambda: redis.poll() is None and redis_stop(redis))
        broker_url = f"redis://127.0.0.1:{port}/0"
        with (
            app_broker(broker_url),
            celery_worker(
                queue="celery", broker_url=broker_url, extra_env={"TMPDIR": worker_tmp}
            ) as worker,
        ):
            # No transaction is open (TransactionTestCase), so on_commit sends the task at once.
            request = report_request(kind="annual", by=sam, year=2026)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and worker.poll() is None:
                request.refresh_from_db()
                if request.status in (ReportRequest.Status.DONE, ReportRequest.Status.FAILED):
                    break
                time.sleep(0.2)
            self.assertEqual(
                request.status,
                ReportRequest.Status.DONE,
                f"no report within 60 s: {request.status} {request.error}",
            )
        self.assertNotIn("Traceback", worker.output)

        saved = list(Path(worker_tmp).glob(f"ascru-test-private-*/{request.file.name}"))
        self.assertEqual(len(saved), 1, f"no {request.file.name} under {worker_tmp}")
        pdf = saved[0].read_bytes()
        self.assertTrue(pdf.startswith(b"%PDF"))
        reader = PdfReader(io.BytesIO(pdf))
        self.assertGreaterEqual(len(reader.pages), 1)
        text = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
        self.assertIn("Annual PIE report 2026", text)
        self.assertIn("£82.50", text)
