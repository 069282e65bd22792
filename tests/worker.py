"""Start a real Celery worker for a test, against the real broker and the test database."""

import contextlib
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url_for_worker() -> str | None:
    """The URL of the test database, so that the worker writes where the test reads."""
    s = connection.settings_dict
    if connection.vendor != "postgresql":
        return None
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def skip_unless_worker_possible(test, what: str) -> None:
    """Skip (saying why) without a broker or a shareable database; fail instead if REQUIRE_WORKER=1."""
    reason = None
    if not settings.CELERY_BROKER_URL:
        reason = "no CELERY_BROKER_URL configured"
    elif database_url_for_worker() is None:
        reason = "the test database is SQLite in memory, which a worker process cannot share"
    if reason:
        if os.environ.get("REQUIRE_WORKER") == "1":
            test.fail(f"{what} required (REQUIRE_WORKER=1) but {reason}")
        print(f"\nSKIPPED {what}: {reason}")
        test.skipTest(reason)


@contextlib.contextmanager
def celery_worker(*, queue: str, extra_env: dict | None = None):
    """Run `celery worker` on `queue` for the duration of the block; yields the process.

    On exit the worker is stopped; its output is available as `process.output`.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ascru_pie.settings.test",
        "DATABASE_URL": database_url_for_worker(),
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ascru_pie",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.output, _ = process.communicate()
