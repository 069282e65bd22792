"""Measurements, each run in its own process against one bench database (`manage.py bench
--probe NAME`): the process has production settings and nothing cached from another probe.

Every probe returns a dict of plain figures; the command writes it as JSON for the parent.
"""

import csv
import datetime
import http.client
import io
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advisors.models import Advisor
from advisors.resources import AdvisorResource
from ascru_pie.lib import imports as import_files
from ascru_pie.lib import pdf as pdf_lib
from reminders import services as reminder_services

from .pages import pages_measure, persona_users, signed_in_client

try:  # the register import's own door (issue 16); before it, the admin's resource
    from advisors import imports as advisor_imports
except ImportError:  # pragma: no cover - only before advisors.imports exists
    advisor_imports = None

IMPORT_PREFIX = "bench-import-"


def probe_pages(*, rounds: int, log, **_) -> dict:
    return pages_measure(rounds=rounds, log=log)


# --- Reminders -------------------------------------------------------------------------------


def probe_reminders(**_) -> dict:
    """The hourly run as the task runs it (one transaction), now and an hour later with
    nothing new due. Queued emails go to an in-memory broker, as a worker would take them."""
    now = timezone.now()
    advisors = Advisor.objects.count()
    runs = {}
    for name, at in [("first", now), ("second", now + datetime.timedelta(hours=1))]:
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            with transaction.atomic():
                new = reminder_services.reminders_queue(now=at)
            seconds = time.perf_counter() - start
        runs[name] = {
            "queries": len(queries.captured_queries),
            "seconds": seconds,
            "new": len(new),
            "per_advisor": len(queries.captured_queries) / max(advisors, 1),
        }
    return {"advisors": advisors, **runs}


# --- Annual PDF --------------------------------------------------------------------------


def _financial_year_last_complete(today: datetime.date) -> int:
    """The year whose 1 April starts the last financial year that has ended."""
    return today.year - 1 if today.month >= 4 else today.year - 2


def probe_pdf(**_) -> dict:
    """`build_report annual --financial-year`, timed whole; then WeasyPrint alone on the very
    HTML it rendered. Peak RSS is this fresh process's, read before WeasyPrint runs again."""
    year = _financial_year_last_complete(timezone.localdate())
    captured = []
    real_render = pdf_lib.render_to_string

    def render_and_keep(*args, **kwargs):
        html = real_render(*args, **kwargs)
        captured.append(html)
        return html

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with (
        tempfile.TemporaryDirectory() as folder,
        mock.patch.object(pdf_lib, "render_to_string", render_and_keep),
    ):
        output = Path(folder) / "annual.pdf"
        start = time.perf_counter()
        call_command(
            "build_report",
            "annual",
            "--financial-year",
            "--year",
            str(year),
            "--output",
            str(output),
            stdout=io.StringIO(),
        )
        total = time.perf_counter() - start
        pdf_bytes = output.stat().st_size
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    weasy = []
    for _ in range(2):  # the better of two: WeasyPrint's own first-run costs are its, not ours
        start = time.perf_counter()
        pdf_lib.html_to_pdf(captured[-1])
        weasy.append(time.perf_counter() - start)
    return {
        "year": f"{year}/{str(year + 1)[-2:]}",
        "total": total,
        "weasyprint": min(weasy),
        "html_bytes": len(captured[-1]),
        "pdf_bytes": pdf_bytes,
        "peak_rss_mb": peak_kb / 1024,
        "rss_at_start_mb": rss_before / 1024,
    }


# --- Import -------------------------------------------------------------------------------


def import_csv(rows: int, *, first: int = 0) -> bytes:
    """A register file of `rows` new advisors in the import's own columns: one existing
    advisor exported by the app, repeated with new names, emails and phone numbers."""
    resource_ = AdvisorResource()
    sample = Advisor.objects.exclude(email="").order_by("pk")[:1]
    exported = resource_.export(queryset=sample)
    headers = list(exported.headers)
    template = dict(zip(headers, exported[0], strict=True)) if len(exported) else {}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for i in range(first, first + rows):
        row = {
            **template,
            "email": f"{IMPORT_PREFIX}{i}@example.org",
            "first_name": f"Bench{i}",
            "last_name": ["Okafor", "Smith", "Nowak", "Begum", "Jones"][i % 5],
            "phone": f"07700 9{i:05d}",
        }
        writer.writerow(["" if row.get(h) is None else row.get(h) for h in headers])
    return out.getvalue().encode()


def register_import(*, content: bytes, name: str, user) -> str:
    """Import a register file the way the admin does; say which way that was.

    The preview (every row checked, nothing written), then, for a small file, the import
    itself; for a large one, the job the admin starts and the work its Celery task does,
    run here (the task runs `import_job_run`; this process's broker is in memory)."""
    if advisor_imports is None:
        dataset = import_files.read_table(name=name, content=content)
        result = AdvisorResource().import_data(dataset, dry_run=False, raise_errors=False)
        if result.has_errors() or result.has_validation_errors():
            raise RuntimeError(f"The import refused the bench file: {result.problems[:3]}")
        return "AdvisorResource.import_data (row by row)"
    rows = len(advisor_imports.register_dataset(content, filename=name))
    preview = advisor_imports.import_register_file(content, filename=name, user=user, dry_run=True)
    if not preview.ok:
        raise RuntimeError(f"The import refused the bench file: {preview.problems[:3]}")
    background = getattr(advisor_imports, "import_job_start", None)
    if rows <= getattr(advisor_imports, "BACKGROUND_ROWS", rows) or background is None:
        done = advisor_imports.import_register_file(content, filename=name, user=user)
        if not done.ok:
            raise RuntimeError(f"The import failed: {done.problems[:3]}")
        return "preview + import_register_file"
    with transaction.atomic():
        job = background(data=content, filename=name, user=user, rows=rows)
    job = advisor_imports.import_job_run(job_id=job.pk)
    if job.status != type(job).Status.DONE:
        raise RuntimeError(f"The import job ended {job.status}: {job.problems[:300]}")
    return "preview + import job (the Celery task's work)"


def _import_timed(rows: int, *, first: int) -> dict:
    user = persona_users()["coordinator"]
    content = import_csv(rows, first=first)
    emails = [f"{IMPORT_PREFIX}{i}@example.org" for i in range(first, first + rows)]
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        path = register_import(content=content, name="bench-register.csv", user=user)
    seconds = time.perf_counter() - start
    return {
        "rows": rows,
        "created": Advisor.objects.filter(email__in=emails).count(),
        "bytes": len(content),
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "queries": len(queries.captured_queries),
        "path": path,
        "content": content,
    }


def probe_import(*, import_rows: int, import_budget: float = 120.0, **_) -> dict:
    """A pilot file first (a tenth, at most 250 rows); the whole file only when the pilot says
    it finishes within `import_budget` seconds, else the pilot's figures stand (a row-by-row
    import is linear) with the estimate for the whole file beside them."""
    pilot_rows = max(1, min(250, import_rows // 10))
    pilot = _import_timed(pilot_rows, first=0)
    estimate = import_rows / pilot["rows_per_s"]
    if estimate <= import_budget:
        out = _import_timed(import_rows, first=pilot_rows)
        out["estimated_from_pilot"] = None
    else:
        out = pilot
        out["estimated_from_pilot"] = {"rows": import_rows, "seconds": estimate}
    content = out.pop("content")
    out["copy_seconds"] = _copy_seconds(content) if connection.vendor == "postgresql" else None
    return out


def _copy_seconds(content: bytes) -> float:
    """PostgreSQL COPY of the same CSV into a scratch table with the same columns."""
    headers = next(csv.reader(io.StringIO(content.decode())))
    columns = ", ".join(f'"{h}" text' for h in headers)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute(f"CREATE TEMP TABLE bench_copy ({columns})")
        start = time.perf_counter()
        with raw.copy("COPY bench_copy FROM STDIN (FORMAT csv, HEADER true)") as copy:
            copy.write(content)
        seconds = time.perf_counter() - start
        raw.execute("SELECT count(*) FROM bench_copy")
        (copied,) = raw.fetchone()
        raw.execute("DROP TABLE bench_copy")
    if copied <= 0:
        raise RuntimeError("COPY loaded nothing")
    return seconds


# --- Load --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(conn: http.client.HTTPConnection, path: str, headers: dict) -> int:
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def _hammer(port: int, path: str, headers: dict, seconds: float, threads: int) -> dict:
    """Requests/s over `seconds` with `threads` keep-alive connections."""
    counts, errors = [0] * threads, [0] * threads
    deadline = time.perf_counter() + seconds

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            try:
                if _get(conn, path, headers) == 200:
                    counts[i] += 1
                else:
                    errors[i] += 1
            except (OSError, http.client.HTTPException):
                errors[i] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()

    start = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - start
    return {"ok": sum(counts), "errors": sum(errors), "seconds": elapsed}


def probe_load(*, load_seconds: float, threads: int = 4, workers: int = 2, **_) -> dict:
    """gunicorn (2 workers) against this database; the portal home (as the advisor, by a
    session cookie) and /healthz, alternately, each for half of `load_seconds`."""
    advisor = persona_users()["advisor"]
    cookie = signed_in_client(advisor).cookies[settings.SESSION_COOKIE_NAME].value
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "ascru_pie.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=os.environ.copy(),
        cwd=settings.BASE_DIR,
    )
    headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
    signed_in = {**headers, "Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
    paths = {"healthz": ("/healthz", headers), "portal": ("/portal/", signed_in)}
    try:
        _wait_for(port)
        for path, h in paths.values():  # warm both workers
            _hammer(port, path, h, 1.0, threads)
        results = {name: [] for name in paths}
        phases = 4
        for phase in range(phases):
            name = list(paths)[phase % 2]
            path, h = paths[name]
            results[name].append(_hammer(port, path, h, load_seconds / phases, threads))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    out = {"threads": threads, "workers": workers}
    for name, runs in results.items():
        ok = sum(r["ok"] for r in runs)
        out[name] = {
            "rps": ok / sum(r["seconds"] for r in runs),
            "errors": sum(r["errors"] for r in runs),
            "requests": ok,
            "per_phase": [r["ok"] / r["seconds"] for r in runs],
        }
    return out


def _wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            if _get(conn, "/healthz", {"Host": "127.0.0.1"}) == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer on port {port} within {timeout:.0f} s")


PROBES = {
    "pages": probe_pages,
    "reminders": probe_reminders,
    "pdf": probe_pdf,
    "import": probe_import,
    "load": probe_load,
}
