"""Speed, measured outside the test suite: how pages scale as data grows.

Builds a throwaway test database, fills it to a small and then a ten-times-larger size,
requests key pages as the right person, and reports queries and median time at each size
with the ratio large/small. Constant queries and a time ratio near 1 mean a page scales.
"""

import datetime
import statistics
import time
from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import (
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from advisors.models import Advisor
from ascru_pie.demo import DEMO_PASSWORD
from ascru_pie.models import User
from impacts.models import ImpactRecord
from meetings.models import Invitation, Meeting
from payments.models import Claim
from projects.models import Project

PAGES = [
    # (label, url name, args builder, username)
    ("Advisor register (admin)", "admin:advisors_advisor_changelist", None, "coordinator"),
    ("Meetings list", "meetings:list", None, "coordinator"),
    ("Meeting roster", "meetings:detail", "meeting", "coordinator"),
    ("Claims waiting", "payments:claims", None, "coordinator"),
    ("Research projects", "projects:home", None, "coordinator"),
    ("Impact search", "impacts:search", None, "manager"),
    ("Reports dashboard", "reports:home", None, "manager"),
    ("Advisor portal: payments", "payments:portal", None, "advisor"),
]


class Command(BaseCommand):
    help = "Measure how key pages scale with 1x and 10x data (queries and time), in a throwaway database."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--size", type=int, default=20, help="the small size (advisors, meetings, claims ...)"
        )
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args, size: int, repeat: int, **options) -> None:
        setup_test_environment()
        old_name = connection.settings_dict["NAME"]
        test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        self.stdout.write(f"Throwaway database: {test_db}")
        try:
            call_command("seed_demo", stdout=StringIO())
            results = {}
            for factor in (1, 10):
                self._grow(to=size * factor)
                results[factor] = self._measure(repeat)
            self._report(results, size)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()

    def _grow(self, *, to: int) -> None:
        """Add advisors, invitations, claims and impacts until each has about `to` rows more than the demo."""
        have = Advisor.objects.filter(email__startswith="bench").count()
        coordinator = User.objects.get(username="coordinator")
        project = Project.objects.order_by("pk").first()
        meeting = Meeting.objects.order_by("-starts_at").first()
        self.meeting_pk = meeting.pk
        new = [
            Advisor(first_name=f"Bench{i}", last_name="Person", email=f"bench{i}@example.org")
            for i in range(have, to)
        ]
        # With their history rows, as every write of an advisor has (advisors/audit.py).
        bulk_create_with_history(new, Advisor)
        advisors = list(Advisor.objects.filter(email__startswith="bench").order_by("pk")[have:to])
        Invitation.objects.bulk_create(
            [Invitation(meeting=meeting, advisor=a) for a in advisors], ignore_conflicts=True
        )
        today = timezone.localdate()
        Claim.objects.bulk_create(
            [
                Claim(
                    advisor=a,
                    kind="expense",
                    expense_type="travel",
                    description="Bus",
                    amount=Decimal("3.20"),
                    activity_date=today - datetime.timedelta(days=3),
                )
                for a in advisors
            ]
        )
        ImpactRecord.objects.bulk_create(
            [
                ImpactRecord(
                    project=project,
                    stage="design",
                    category="tools",
                    what_changed=f"Bench change {a.pk}",
                    recorded_by=coordinator,
                    recorded_on=today,
                )
                for a in advisors
            ]
        )
        Meeting.objects.bulk_create(
            [
                Meeting(
                    title=f"Bench meeting {a.pk}",
                    type="pieg",
                    starts_at=timezone.now() + datetime.timedelta(days=3),
                    ends_at=timezone.now() + datetime.timedelta(days=3, hours=1),
                )
                for a in advisors
            ]
        )

    def _measure(self, repeat: int) -> dict:
        out = {}
        for label, name, arg, username in PAGES:
            client = Client()
            client.login(username=username, password=DEMO_PASSWORD)
            url = reverse(name, args=[self.meeting_pk] if arg == "meeting" else None)
            client.get(url)  # warm up
            times = []
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get(url)
                    times.append(time.perf_counter() - start)
            out[label] = (
                response.status_code,
                len(queries.captured_queries),
                statistics.median(times),
            )
        return out

    def _report(self, results: dict, size: int) -> None:
        self.stdout.write(
            f"\n{'page':32} {'queries 1x':>10} {'10x':>5} {'ms 1x':>8} {'ms 10x':>8} {'time ratio':>10}"
        )
        for label in results[1]:
            s1, q1, t1 = results[1][label]
            s10, q10, t10 = results[10][label]
            flag = "" if q1 == q10 else "  <- queries grow"
            self.stdout.write(
                f"{label:32} {q1:>10} {q10:>5} {t1 * 1000:>8.1f} {t10 * 1000:>8.1f} {t10 / t1:>10.2f}{flag}"
                + ("" if s1 == s10 == 200 else f"  (status {s1}/{s10})")
            )
        self.stdout.write(
            f"\nSmall: +{size} advisors, invitations, claims, impacts, meetings; large: +{size * 10}."
        )
