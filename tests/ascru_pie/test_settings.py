"""Production mode refuses to start without its secrets, and passes `check --deploy` with them;
`make run` needs no broker."""

import os
import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x" * 30 + "-a-long-random-production-secret-key-value",
    "DJANGO_ALLOWED_HOSTS": "pie.example.ac.uk",
    "EMAIL_URL": "smtp+tls://user:pass@mail.example.ac.uk:587",
    "DATABASE_URL": "sqlite:////tmp/ascru-settings-test.sqlite3",
    "FIELD_ENCRYPTION_KEY": "U4KiyhxNdw9pGUxBEuowQwy_MhSLCBFCQzZQoq7CiBE=",
}


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "EMAIL_", "FIELD_ENCRYPTION", "CELERY_"))
    }
    clean["DJANGO_SETTINGS_MODULE"] = "ascru_pie.settings.base"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


class ProductionSettingsTest(SimpleTestCase):
    def test_without_secret_key_it_refuses_to_start_with_a_clear_message(self) -> None:
        env = {k: v for k, v in PROD_ENV.items() if k != "DJANGO_SECRET_KEY"}
        result = run_manage("check", env=env)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0", result.stderr)

    def test_without_allowed_hosts_it_refuses_to_start(self) -> None:
        env = {k: v for k, v in PROD_ENV.items() if k != "DJANGO_ALLOWED_HOSTS"}
        result = run_manage("check", env=env)
        self.assertIn("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG=0", result.stderr)

    def test_with_production_variables_check_deploy_reports_nothing(self) -> None:
        result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("System check identified no issues (0 silenced).", result.stdout)

    def test_without_an_encryption_key_it_refuses_to_start(self) -> None:
        env = {k: v for k, v in PROD_ENV.items() if k != "FIELD_ENCRYPTION_KEY"}
        result = run_manage("check", env=env)
        self.assertIn("FIELD_ENCRYPTION_KEY must be set when DJANGO_DEBUG=0", result.stderr)

    def test_debug_mode_needs_no_variables(self) -> None:
        result = run_manage("check", env={"DJANGO_DEBUG": "1"})
        self.assertEqual(result.returncode, 0, result.stderr)


class DevelopmentSettingsTest(SimpleTestCase):
    def test_without_a_broker_make_run_runs_tasks_in_process(self) -> None:
        show = "from django.conf import settings as s; print(s.CELERY_TASK_ALWAYS_EAGER, repr(s.CELERY_BROKER_URL))"
        result = run_manage("shell", "-c", show, env={"DJANGO_DEBUG": "1"})
        # The last line: `shell` may first say what it imported.
        self.assertEqual(result.stdout.strip().splitlines()[-1], "True ''", result.stderr)
