from unittest import mock

from django.db import connection
from django.test import TestCase, override_settings


class HealthzTest(TestCase):
    def test_ok_when_the_database_answers(self) -> None:
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["database"]["status"], "ok")
        self.assertEqual(body["database"]["vendor"], connection.vendor)
        # The test settings always name a broker (CI's Redis, or an in-memory one), so the
        # view really connects to it.
        self.assertEqual(body["broker"], {"status": "ok"})

    def test_503_when_the_database_does_not_answer(self) -> None:
        with mock.patch.object(connection, "cursor", side_effect=OSError("down")):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(
            response.json()["database"],
            {"vendor": connection.vendor, "status": "error", "error": "OSError"},
        )

    # `make run`: no broker, so tasks run in-process (the test settings never do this).
    @override_settings(CELERY_BROKER_URL="", CELERY_TASK_ALWAYS_EAGER=True)
    def test_reports_eager_mode_without_a_broker(self) -> None:
        self.assertEqual(self.client.get("/healthz").json()["broker"]["status"], "eager")

    @override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    def test_reports_an_unreachable_broker_but_stays_200(self) -> None:
        from ascru_pie.celery import app

        with mock.patch.object(app, "connection_for_write", side_effect=ConnectionRefusedError):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json()["broker"], {"status": "error", "error": "ConnectionRefusedError"}
        )
