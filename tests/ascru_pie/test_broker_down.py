"""When the broker is down: enqueue_on_commit logs and marks the work unsent instead of failing
the request, and /healthz says so at once. No Redis needed: the broker is a closed port."""

import time
from unittest import mock

from django.db import transaction
from django.test import TestCase
from kombu.exceptions import OperationalError

from ascru_pie.celery import enqueue_on_commit
from ascru_pie.tasks import worker_heartbeat
from tests.worker import app_broker, free_port

DELAY = "ascru_pie.tasks.worker_heartbeat.delay"


class EnqueueOnCommitTest(TestCase):
    def test_each_task_is_sent_after_the_commit(self) -> None:
        unsent = mock.Mock()
        with mock.patch(DELAY) as delay, self.captureOnCommitCallbacks(execute=True):
            with transaction.atomic():
                enqueue_on_commit(worker_heartbeat, [1, 2], unsent=unsent)
                delay.assert_not_called()
        self.assertEqual(delay.call_args_list, [mock.call(1), mock.call(2)])
        unsent.assert_not_called()

    def test_a_broker_that_is_down_is_logged_and_the_rest_are_marked_unsent(self) -> None:
        unsent = mock.Mock()
        down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        with (
            self.assertLogs("ascru_pie.celery", "WARNING") as logs,
            mock.patch(DELAY, side_effect=[None, down]) as delay,
            self.captureOnCommitCallbacks(execute=True),
        ):
            enqueue_on_commit(worker_heartbeat, [1, 2, 3], unsent=unsent)
        self.assertEqual(delay.call_count, 2)  # 3 is not tried: the broker is down for it too
        unsent.assert_called_once_with([2, 3])
        self.assertEqual(
            logs.output,
            [
                "WARNING:ascru_pie.celery:The broker did not take ascru_pie.tasks.worker_heartbeat(2)"
                " and 1 more; the sweeper will send them: OperationalError('Error 111 connecting"
                " to 127.0.0.1:6379. Connection refused.')"
            ],
        )
        self.assertFalse(logs.records[0].exc_info)  # an outage needs no traceback

    def test_any_other_failure_is_logged_with_its_traceback_and_never_raised(self) -> None:
        unsent = mock.Mock()
        with (
            self.assertLogs("ascru_pie.celery", "WARNING") as logs,
            mock.patch(DELAY, side_effect=TypeError("not JSON serialisable")),
            self.captureOnCommitCallbacks(execute=True),
        ):
            enqueue_on_commit(worker_heartbeat, [1], unsent=unsent)
        unsent.assert_called_once_with([1])
        self.assertTrue(logs.records[0].exc_info)

    def test_nothing_to_send_registers_nothing(self) -> None:
        with self.captureOnCommitCallbacks() as callbacks:
            enqueue_on_commit(worker_heartbeat, [], unsent=mock.Mock())
        self.assertEqual(callbacks, [])


class BrokerDownForRealTest(TestCase):
    """A real Redis client against a port nobody listens on: the settings' timeouts at work."""

    def test_a_task_sent_to_a_broker_that_is_down_fails_fast(self) -> None:
        with app_broker(f"redis://127.0.0.1:{free_port()}/0"):
            started = time.monotonic()
            with self.assertRaises(OperationalError):
                worker_heartbeat.delay("x")
            took = time.monotonic() - started
        self.assertLess(took, 1.5, "the publish retry policy should give up within a second")

    def test_healthz_says_the_broker_is_down_well_within_half_a_second(self) -> None:
        with app_broker(f"redis://127.0.0.1:{free_port()}/0"):
            self.client.get("/healthz")  # the first request loads the URLconf and middleware
            started = time.monotonic()
            response = self.client.get("/healthz")
            took = time.monotonic() - started
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json()["broker"], {"status": "error", "error": "OperationalError"}
        )
        self.assertLess(took, 0.5)
