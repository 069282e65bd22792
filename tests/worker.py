"""Start a real Celery worker for a test, against the real broker and the test database."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import kombu.pools
import redis
from django.conf import settings
from django.db import connection
from django.test import override_settings

from ascru_pie.celery import app

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
    # Without CELERY_BROKER_URL the test settings use an in-memory broker, which lives in this
    # process only: a worker could never receive the task.
    if not settings.CELERY_BROKER_URL or settings.CELERY_BROKER_URL.startswith("memory://"):
        reason = "no CELERY_BROKER_URL configured"
    elif database_url_for_worker() is None:
        reason = "the test database is SQLite in memory, which a worker process cannot share"
    if reason:
        if os.environ.get("REQUIRE_WORKER") == "1":
            test.fail(f"{what} required (REQUIRE_WORKER=1) but {reason}")
        print(f"\nSKIPPED {what}: {reason}")
        test.skipTest(reason)


@contextlib.contextmanager
def celery_worker(*, queue: str, broker_url: str | None = None, extra_env: dict | None = None):
    """Run `celery worker` on `queue` for the duration of the block; yields the process.

    With `broker_url`, the worker uses that broker instead of CELERY_BROKER_URL. On exit the
    worker is stopped (unless it is dead already); its output is in `process.output`.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ascru_pie.settings.test",
        "DATABASE_URL": database_url_for_worker(),
        **({"CELERY_BROKER_URL": broker_url} if broker_url else {}),
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


# --- A broker of the test's own, which it can stop and start -------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_start(port: int) -> subprocess.Popen:
    """Start an empty, non-persistent Redis on `port` and wait until it answers."""
    process = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port)]
        + ["--save", "", "--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    client = redis.Redis(port=port, socket_connect_timeout=0.2)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return process
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"redis-server did not start on port {port}") from None
            time.sleep(0.02)


def wait_until_consuming(port: int, worker: subprocess.Popen, *, timeout: float = 30) -> None:
    """Wait until the worker has declared its queue on the Redis at `port`, i.e. it is
    connected and about to take tasks (a worker that is still starting retries differently)."""
    client = redis.Redis(port=port, socket_connect_timeout=0.2)
    if not wait_for(lambda: client.keys("_kombu.binding.*"), timeout=timeout, process=worker):
        raise RuntimeError(f"the worker is not consuming from port {port} after {timeout} s")


def redis_stop(process: subprocess.Popen) -> None:
    """Stop it the way an outage does: it is gone, and so is everything in it."""
    process.kill()
    process.wait(timeout=10)


def _reset_broker_connections() -> None:
    # The app keeps a pool of broker connections (and of producers on them) made from the URL
    # it had when first used: drop them, so the next task is sent with the current URL. The
    # pools live in kombu's registry, keyed by URL: close them there and forget them, or the
    # next task to the old URL would be handed the closed pool ("Acquire on closed pool").
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def app_broker(url: str):
    """Point this process's Celery app, and settings.CELERY_BROKER_URL, at `url` for the block.

    Celery reads the URL from the CELERY_BROKER_URL variable before its own config, so both
    change; tasks are sent, never run here.
    """
    saved = {key: app.conf.get(key) for key in ("broker_url", "task_always_eager")}
    _reset_broker_connections()
    try:
        with (
            mock.patch.dict(os.environ, {"CELERY_BROKER_URL": url}),
            override_settings(CELERY_BROKER_URL=url, CELERY_TASK_ALWAYS_EAGER=False),
        ):
            app.conf.update(broker_url=url, task_always_eager=False)
            yield
    finally:
        app.conf.update(saved)
        _reset_broker_connections()


def wait_for(condition, *, timeout: float, process: subprocess.Popen | None = None) -> bool:
    """Poll `condition()` every 50 ms until it is true (True) or `timeout` s pass or `process`
    exits (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if process is not None and process.poll() is not None:
            return bool(condition())
        time.sleep(0.05)
    return bool(condition())
