"""Celery: tasks are enqueued after commit, and a real worker runs them through the broker."""

import secrets
import time
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import transaction
from django.test import SimpleTestCase, TestCase, TransactionTestCase

from ascru_pie.celery import app
from ascru_pie.models import WorkerHeartbeat
from ascru_pie.tasks import worker_heartbeat
from tests.worker import celery_worker, skip_unless_worker_possible

ROOT = Path(__file__).resolve().parents[2]


class TestSettingsTest(SimpleTestCase):
    def test_tasks_never_run_in_process_and_a_broker_is_always_named(self) -> None:
        # Every suite (SQLite or PostgreSQL+Redis) enqueues the same way; `make run` is eager
        # (tests/ascru_pie/test_settings.py).
        self.assertFalse(settings.CELERY_TASK_ALWAYS_EAGER)
        self.assertFalse(app.conf.task_always_eager)
        self.assertTrue(settings.CELERY_BROKER_URL)
        self.assertEqual(app.conf.broker_url, settings.CELERY_BROKER_URL)


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


@pytest.mark.worker
class CeleryWorkerRoundTripTest(TransactionTestCase):
    """Starts `celery worker` against the real broker; sends a task; sees its row."""

    def test_a_real_worker_runs_a_task_that_writes_a_row(self) -> None:
        skip_unless_worker_possible(self, "Celery worker round trip")
        queue = f"roundtrip-{secrets.token_hex(4)}"
        token = secrets.token_hex(8)
        with celery_worker(queue=queue) as worker:
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
        self.assertNotIn("Traceback", worker.output)
