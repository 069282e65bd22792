import datetime
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from ascru_pie.demo import DEMO_PASSWORD
from homes import scale


class Command(BaseCommand):
    help = (
        "Load the demo, then N units' worth of data on top (N=1: about one unit, 50 advisors; "
        "N=100: about 5,000 advisors and 200,000 claims), the same rows for the same factor "
        "and day. Refuses to run unless DJANGO_DEBUG=1, or on data already scaled."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--factor", type=int, default=1, help="How many units (1 to 200).")
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="The day the history runs up to (YYYY-MM-DD; default: today).",
        )
        parser.add_argument("--seed", type=int, default=16, help="The random seed.")
        parser.add_argument(
            "--skip-demo", action="store_true", help="The demo is already loaded: do not reload it."
        )

    def handle(self, *args, factor: int, today, seed: int, skip_demo: bool, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_scale only runs with DJANGO_DEBUG=1: it sets well-known passwords."
            )
        if not 1 <= factor <= 200:
            raise CommandError("The factor must be between 1 and 200.")
        if scale.already_seeded():
            raise CommandError("This database already has scale data: start from an empty one.")
        today = today or timezone.localdate()
        started = time.perf_counter()
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            if not skip_demo:
                call_command("seed_demo", stdout=self.stdout)
            demo_seconds = time.perf_counter() - started
            self.stdout.write(f"Demo: {demo_seconds:.1f} s. Scale factor {factor}, up to {today}:")
            # DEBUG's query log would format every bulk INSERT's SQL: it costs more than the insert.
            with override_settings(DEBUG=False):
                built = scale.scale_seed(factor=factor, today=today, seed=seed, stdout=self.stdout)
        # A database loaded in one go has no planner statistics until autovacuum gets round to
        # it, and without them PostgreSQL picks nested loops over 100,000-row tables (the
        # staff home took 1.8 s instead of 0.2 s). A real database has them: gather them now
        # (SQLite's ANALYZE does the same for its planner).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        seconds = time.perf_counter() - started
        self.stdout.write("Rows: " + ", ".join(f"{k} {v}" for k, v in scale.counts().items()))
        self.stdout.write(
            f"Big meeting #{built.big_meeting.pk} "
            f"({built.big_meeting.invitations.count()} invitations); "
            f"big batch #{built.big_batch.pk} {built.big_batch.reference} "
            f"({built.big_batch.claims.count()} claims)."
        )
        self.stdout.write(
            f"Personas (password {DEMO_PASSWORD}): advisor, researcher, coordinator, manager, "
            "finance; scale researchers researcher-001…, advisors with logins by the first part "
            "of their email."
        )
        self.stdout.write(self.style.SUCCESS(f"Scale data is ready in {seconds:.1f} s."))
