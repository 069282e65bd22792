"""Speed, measured outside the test suite, honestly (issue 16): `make bench`.

Builds two throwaway databases next to the one DATABASE_URL names (PostgreSQL when it names
one, else SQLite files), migrates them, seeds them with `seed_scale --factor N` at one unit's
size and at 100 units, and measures each in a fresh process with production settings (DEBUG
off, the connection settings as configured):

- every main page of every role: queries at both sizes, and at the large size the median time
  over interleaved rounds (a trivial signed-in view, then each page once) as a ratio to the
  trivial view's median;
- the advisor register import's rows/s through the app's own path, and against COPY;
- the annual PDF: total time, WeasyPrint alone on the same HTML, peak memory;
- the hourly reminders run: queries per advisor, now and an hour later;
- requests/s of the portal home against /healthz under gunicorn, for a bounded time.

Prints one markdown report (and writes it to var/bench/latest.md), then drops the databases.
"""

import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from homes.bench.databases import BenchDatabase, Databases
from homes.bench.probes import PROBES
from homes.bench.report import others, pages_table


class Command(BaseCommand):
    help = (
        "Measure every main page, the import, the annual PDF, the reminders run and the portal "
        "under load at one unit's size and at 100 units, in throwaway databases (PostgreSQL when "
        "DATABASE_URL names one), with production settings; print the table with the targets."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--factor-small", type=int, default=1)
        parser.add_argument("--factor-large", type=int, default=100)
        parser.add_argument("--rounds", type=int, default=5, help="interleaved timing rounds")
        parser.add_argument("--import-rows", type=int, default=5000)
        parser.add_argument("--load-seconds", type=float, default=20.0)
        parser.add_argument("--skip-load", action="store_true")
        parser.add_argument("--skip-pdf", action="store_true")
        parser.add_argument("--skip-import", action="store_true")
        parser.add_argument("--skip-reminders", action="store_true")
        parser.add_argument(
            "--folder",
            default=str(Path(settings.BASE_DIR) / "var" / "bench"),
            help="where latest.md (and SQLite bench databases) go",
        )
        parser.add_argument("--keep", action="store_true", help="keep the bench databases")
        parser.add_argument(
            "--template-small",
            help="PostgreSQL: copy this already seeded database for N=small instead of seeding",
        )
        parser.add_argument("--template-large", help="the same for N=large")
        parser.add_argument(
            "--in-test-database",
            action="store_true",
            help="for the test suite: measure the test database this process has, in this "
            "process, as both sizes (no databases made, no load, no PDF)",
        )
        # Internal: run one measurement in this process and write its figures as JSON.
        parser.add_argument("--probe", choices=sorted(PROBES), help="internal")
        parser.add_argument("--out", help="internal: where --probe writes its JSON")

    def handle(self, *args, **options) -> None:
        if options["probe"]:
            self._probe(options)
            return
        if options["in_test_database"]:
            self._in_test_database(options)
            return
        started = time.monotonic()
        folder = Path(options["folder"])
        folder.mkdir(parents=True, exist_ok=True)
        dbs = Databases(folder=folder, log=self._log)
        small, large = options["factor_small"], options["factor_large"]
        if small >= large:
            raise CommandError("--factor-small must be smaller than --factor-large.")
        header = self._header(dbs, small, large, options["rounds"])
        figures: dict = {"skipped": {}}
        try:
            db_small, db_large = dbs.for_factor(small), dbs.for_factor(large)
            if options["template_small"] and options["template_large"]:
                header.append(self._clone(dbs, db_small, db_large, options))
            else:
                header.append(self._build(dbs, db_small, db_large))
            if not self._static_fresh():
                self._log("Collecting static files (production serves them from a manifest)")
                dbs.manage(db_small, "collectstatic", "--noinput", "-v", "0", debug=False)

            self._log(f"Pages at N={small}: queries")
            figures["small"] = self._run_probe(dbs, db_small, "pages", rounds=0)
            self._log(f"Pages at N={large}: queries and {options['rounds']} timed rounds")
            figures["large"] = self._run_probe(dbs, db_large, "pages", rounds=options["rounds"])
            chosen = figures["large"]["chosen"]
            header.append(
                "Signed in as: "
                + ", ".join(f"{k} `{v}`" for k, v in chosen["users"].items())
                + f"; biggest meeting #{chosen['meeting']}, biggest batch #{chosen['batch']}, "
                f"project #{chosen['project']} (N={large})."
            )
            steps = [
                ("pdf", options["skip_pdf"], {}),
                ("reminders", options["skip_reminders"], {}),
                ("load", options["skip_load"], {"load_seconds": options["load_seconds"]}),
                # Last: it adds advisors to the large database.
                ("import", options["skip_import"], {"import_rows": options["import_rows"]}),
            ]
            for name, skip, kwargs in steps:
                if skip:
                    figures["skipped"][name] = f"--skip-{name}"
                    continue
                self._log(f"Measuring {name} at N={large}")
                try:
                    figures[name] = self._run_probe(dbs, db_large, name, **kwargs)
                except RuntimeError as exc:
                    figures["skipped"][name] = str(exc).strip().splitlines()[-1][:300]
                    self._log(f"{name} failed:\n{exc}")
        finally:
            if options["keep"]:
                self._log("Keeping " + ", ".join(db.name for db in dbs.made))
            else:
                dbs.drop_all()
        header.append(f"Whole bench: {(time.monotonic() - started) / 60:.1f} min.")
        lines = [
            *header,
            "",
            *pages_table(figures["small"], figures["large"], factors=(small, large)),
            *others(figures, large=large),
        ]
        text = "\n".join(lines) + "\n"
        (folder / "latest.md").write_text(text)
        self.stdout.write(text)

    def _in_test_database(self, options: dict) -> None:
        """The same probes and report, in this process, on the test database: what the
        test suite runs so that the page list, the personas and the report cannot rot."""
        name = str(connection.settings_dict["NAME"])
        if "test" not in name and "memory" not in name:
            raise CommandError(f"--in-test-database only runs on a test database, not {name}.")
        kwargs = {
            "log": lambda message: None,
            "rounds": options["rounds"],
            "import_rows": options["import_rows"],
            "load_seconds": options["load_seconds"],
        }
        figures: dict = {"skipped": {"pdf": "in the test database", "load": "in the test database"}}
        figures["small"] = PROBES["pages"](**{**kwargs, "rounds": 0})
        figures["large"] = PROBES["pages"](**kwargs)
        figures["reminders"] = PROBES["reminders"](**kwargs)
        figures["import"] = PROBES["import"](**kwargs)
        n = options["factor_small"]
        lines = [
            f"# make bench (test database {name}, N={n} twice)",
            "",
            *pages_table(figures["small"], figures["large"], factors=(n, n)),
            *others(figures, large=n),
        ]
        self.stdout.write("\n".join(lines) + "\n")

    def _static_fresh(self) -> bool:
        """Is the static files manifest newer than every file under static/?"""
        manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
        if not manifest.exists():
            return False
        built = manifest.stat().st_mtime
        sources = (Path(settings.BASE_DIR) / "static").rglob("*")
        return all(p.stat().st_mtime <= built for p in sources if p.is_file())

    # --- steps -----------------------------------------------------------------------------

    def _log(self, message: str) -> None:
        stamp = datetime.datetime.now().strftime("%H:%M:%S")
        self.stderr.write(f"[bench {stamp}] {message}")

    def _header(self, dbs: Databases, small: int, large: int, rounds: int) -> list[str]:
        ram = "?"
        try:
            meminfo = Path("/proc/meminfo").read_text().splitlines()
            kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
            ram = f"{kb / 1024 / 1024:.1f} GB RAM"
        except (OSError, StopIteration, ValueError):
            pass
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
        ).stdout.strip()
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        return [
            f"# make bench, {now}",
            "",
            f"Machine: {os.cpu_count()} cores (nproc), {ram}, {dbs.server_version()}, "
            f"Python {platform.python_version()}; commit {commit or '?'}; DEBUG off; "
            f"N={small} and N={large}; {rounds} interleaved rounds, median.",
        ]

    def _build(self, dbs: Databases, db_small: BenchDatabase, db_large: BenchDatabase) -> str:
        """Migrate the small database, copy it for the large one, seed each at its size."""
        self._log(f"Creating {db_small.name} and migrating it")
        dbs.create(db_small)
        dbs.manage(db_small, "migrate", "--noinput", debug=False)
        dbs.manage(db_small, "createcachetable", debug=False)
        dbs.create(db_large, template=db_small)
        self._log(f"Created {db_large.name} from it")
        seeder = self._seed(dbs, db_small)
        self._seed(dbs, db_large)
        return f"Data: `{seeder}` at N={db_small.factor} and N={db_large.factor}."

    def _clone(self, dbs: Databases, db_small, db_large, options: dict) -> str:
        """PostgreSQL only: copy databases seeded before (seed_scale), then migrate them."""
        if dbs.vendor != "postgresql":
            raise CommandError("--template-small/--template-large need PostgreSQL.")
        for db, template in [
            (db_small, options["template_small"]),
            (db_large, options["template_large"]),
        ]:
            self._log(f"Creating {db.name} from the template {template}, then migrating it")
            dbs.create(db, template=dbs.named(template))
            dbs.manage(db, "migrate", "--noinput", debug=False)
            dbs.manage(db, "createcachetable", debug=False)
        return (
            f"Data: copies of `{options['template_small']}` and `{options['template_large']}` "
            f"(seeded before with seed_scale), migrated to this commit."
        )

    def _seed(self, dbs: Databases, db: BenchDatabase) -> str:
        """seed_scale at the database's factor (seed_demo when seed_scale does not exist)."""
        started = time.monotonic()
        # No broker: anything seeding queues runs in-process, never on a real worker.
        env = {"CELERY_BROKER_URL": ""}
        if "seed_scale" in get_commands():
            args = ["seed_scale", "--factor", str(db.factor)]
        else:
            args = ["seed_demo"]
        self._log(f"Seeding {db.name}: {' '.join(args)}")
        dbs.manage(db, *args, debug=True, env=env)
        self._log(f"Seeded {db.name} in {time.monotonic() - started:.0f} s")
        if args[0] == "seed_demo":
            return "seed_demo (seed_scale is missing: both sizes are the demo data)"
        return "seed_scale --factor N"

    def _run_probe(self, dbs: Databases, db: BenchDatabase, name: str, **kwargs) -> dict:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "figures.json"
            args = ["bench", "--probe", name, "--out", str(out)]
            for key, value in kwargs.items():
                args += [f"--{key.replace('_', '-')}", str(value)]
            # An in-memory broker: what a probe queues goes nowhere (never to a real worker
            # that reads another database), and nothing runs in-process in its place.
            dbs.manage(
                db,
                *args,
                debug=False,
                env={"CELERY_BROKER_URL": "memory://"},
                capture_errors=False,
            )
            return json.loads(out.read_text())

    def _probe(self, options: dict) -> None:
        if settings.DEBUG:
            raise CommandError("A bench probe measures production settings: DJANGO_DEBUG=0.")
        figures = PROBES[options["probe"]](
            rounds=options["rounds"],
            import_rows=options["import_rows"],
            load_seconds=options["load_seconds"],
            log=self._log,
        )
        Path(options["out"]).write_text(json.dumps(figures))
        sys.stdout.flush()
