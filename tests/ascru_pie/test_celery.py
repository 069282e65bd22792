"""Celery: tasks are enqueued after commit, and a real worker runs them through the broker."""

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase

from ascru_pie.models import WorkerHeartbeat
from ascru_pie.tasks import worker_heartbeat

ROOT = Path(__file__).resolve().parents[2]


class HeartbeatTaskTest(TestCase):
    def test_running_twice_with_the_same_token_writes_one_row(self) -> None:
        worker_heartbeat("abc")
        worker_heartbeat("abc")
        self.assertEqual(WorkerHeartbeat.objects.filter(token="abc").count(), 1)

    def test_keeps_only_the_newest_fifty(self) -> None:
        for i in range(55):
            worker_heartbeat(f"t{i}")
        self.assertEqual(WorkerHeartbeat.objects.count(), 50)

    def test_enqueue_on_commit_sends_only_after_commit(self) -> None:
        with mock.patch.object(worker_heartbeat, "delay") as delay:
            with self.captureOnCommitCallbacks(execute=True) as callbacks:
                with transaction.atomic():
                    transaction.on_commit(lambda: worker_heartbeat.delay("x"))
                    delay.assert_not_called()
        self.assertEqual(len(callbacks), 1)
        delay.assert_called_once_with("x")


def _database_url_for_worker() -> str | None:
    """The URL of the test database, so that the worker writes where the test reads."""
    s = connection.settings_dict
    if connection.vendor != "postgresql":
        return None
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.worker
class CeleryWorkerRoundTripTest(TransactionTestCase):
    """Starts `celery worker` against the real broker; sends a task; sees its row."""

    def test_a_real_worker_runs_a_task_that_writes_a_row(self) -> None:
        required = os.environ.get("REQUIRE_WORKER") == "1"
        reason = None
        if not settings.CELERY_BROKER_URL:
            reason = "no CELERY_BROKER_URL configured"
        elif _database_url_for_worker() is None:
            reason = "the test database is SQLite in memory, which a worker process cannot share"
        if reason:
            if required:
                self.fail(f"Celery round trip required (REQUIRE_WORKER=1) but {reason}")
            print(f"\nSKIPPED Celery worker round trip: {reason}")
            self.skipTest(reason)

        queue = f"roundtrip-{secrets.token_hex(4)}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ascru_pie.settings.test",
            "DATABASE_URL": _database_url_for_worker(),
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "ascru_pie", "worker", "--pool=solo", "-Q", queue,
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        token = secrets.token_hex(8)
        try:
            worker_heartbeat.apply_async(args=[token], queue=queue)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and worker.poll() is None:
                if WorkerHeartbeat.objects.filter(token=token).exists():
                    break
                time.sleep(0.2)
            self.assertTrue(
                WorkerHeartbeat.objects.filter(token=token).exists(),
                "the worker did not write the row within 60 s",
            )
        finally:
            worker.terminate()
            try:
                output, _ = worker.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                output, _ = worker.communicate()
        self.assertNotIn("Traceback", output)
