"""The bench's own throwaway databases, next to the one DATABASE_URL names and never it.

PostgreSQL: `<name>_bench<N>` on the same server, made with CREATE DATABASE (the second from
the first, once migrated, as a template) and dropped at the end. SQLite: files in the bench
folder. Everything that changes a database runs as `manage.py` in a child process whose
DATABASE_URL names the bench database, so this process never connects to one.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from django.conf import settings

# Used only when the environment gives none: the bench databases are throwaway, and seeding
# (DEBUG on) and measuring (DEBUG off) must encrypt bank details with the same key.
FALLBACK_ENV = {
    "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
    "FIELD_ENCRYPTION_KEY": "U4KiyhxNdw9pGUxBEuowQwy_MhSLCBFCQzZQoq7CiBE=",
    "EMAIL_URL": "dummymail://",
}
HOSTS = ["localhost", "127.0.0.1", "testserver"]


@dataclass
class BenchDatabase:
    factor: int
    url: str
    name: str  # the database name, or the SQLite file's path
    vendor: str  # "postgresql" or "sqlite"


class Databases:
    def __init__(self, *, folder: Path, log) -> None:
        self.folder = folder
        self.log = log
        self.source_url = os.environ.get("DATABASE_URL", "")
        engine = settings.DATABASES["default"]["ENGINE"]
        self.vendor = "postgresql" if "postgresql" in engine else "sqlite"
        self.made: list[BenchDatabase] = []

    # --- naming -----------------------------------------------------------------------------

    def for_factor(self, factor: int) -> BenchDatabase:
        if self.vendor == "postgresql":
            parts = urlsplit(self.source_url)
            base = parts.path.lstrip("/") or "ascru_pie"
            name = f"{base}_bench{factor}"
            url = urlunsplit(parts._replace(path=f"/{name}"))
            return BenchDatabase(factor, url, name, self.vendor)
        path = (self.folder / f"bench{factor}.sqlite3").resolve()
        return BenchDatabase(factor, f"sqlite:///{path}", str(path), self.vendor)

    def named(self, name: str) -> BenchDatabase:
        """An existing database on the same server (a template to copy), by name."""
        return BenchDatabase(0, "", name, self.vendor)

    # --- child processes -----------------------------------------------------------------

    def env(self, db: BenchDatabase, *, debug: bool) -> dict:
        env = os.environ.copy()
        for key, value in FALLBACK_ENV.items():
            env.setdefault(key, value)
        hosts = [h for h in env.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
        env["DJANGO_ALLOWED_HOSTS"] = ",".join(dict.fromkeys([*hosts, *HOSTS]))
        env["DATABASE_URL"] = db.url
        env["DJANGO_DEBUG"] = "1" if debug else "0"
        return env

    def manage(
        self,
        db: BenchDatabase,
        *args: str,
        debug: bool,
        env: dict | None = None,
        capture_errors: bool = True,
    ) -> str:
        """Run `manage.py ARGS` against `db`; its output, or its error as an exception.
        With capture_errors off, what it writes to stderr (progress) shows as it runs."""
        run_env = {**self.env(db, debug=debug), **(env or {})}
        done = subprocess.run(
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
            env=run_env,
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if capture_errors else None,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed on {db.name} (exit {done.returncode}):\n"
                f"{done.stdout[-4000:]}"
            )
        return done.stdout

    # --- create / drop ---------------------------------------------------------------------

    def _server(self):
        source = settings.DATABASES["default"]
        return psycopg.connect(
            dbname="postgres",
            user=source.get("USER") or None,
            password=source.get("PASSWORD") or None,
            host=source.get("HOST") or None,
            port=source.get("PORT") or None,
            autocommit=True,
        )

    def create(self, db: BenchDatabase, *, template: BenchDatabase | None = None) -> None:
        self.drop(db)
        if db.vendor == "postgresql":
            sql = f'CREATE DATABASE "{db.name}"'
            if template is not None:
                sql += f' TEMPLATE "{template.name}"'
            for attempt in range(10):
                try:
                    with self._server() as conn:
                        conn.execute(sql)
                    break
                except psycopg.errors.ObjectInUse:  # someone is connected to the template
                    if attempt == 9:
                        raise
                    time.sleep(3)
        else:
            Path(db.name).parent.mkdir(parents=True, exist_ok=True)
            if template is not None:
                shutil.copyfile(template.name, db.name)
        self.made.append(db)

    def drop(self, db: BenchDatabase) -> None:
        if db.vendor == "postgresql":
            with self._server() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(db.name + suffix).unlink(missing_ok=True)

    def drop_all(self) -> None:
        for db in self.made:
            try:
                self.drop(db)
            except Exception as exc:  # report and carry on: the others should still go
                self.log(f"Could not drop {db.name}: {exc}")
        self.made = []

    def server_version(self) -> str:
        if self.vendor == "postgresql":
            with self._server() as conn:
                return "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0].split()[0]
        return f"SQLite {sqlite3.sqlite_version}"
