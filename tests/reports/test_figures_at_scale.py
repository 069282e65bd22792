"""Key figures at scale (issue 16): every figure is worked out by the database, so the
dashboard and the report pages run the same number of queries however much data there is;
the figures are the same as the old one-object-at-a-time sums gave; the dashboard keeps
them for five minutes and says when they were worked out."""

import datetime
from decimal import Decimal
from unittest import mock

import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from impacts.models import ImpactRecord, Standard
from meetings.models import Attendance, Meeting
from payments.models import Claim
from projects.models import Project
from reports.figures import FIGURES_CACHE_SECONDS, Period, annual_evidence, key_figures
from reports.models import ReportExample
from tests.base import BaseTestCase
from tests.factories import (
    AdvisorFactory,
    MeetingFactory,
    OutputFactory,
    ProjectFactory,
    TrainingFactory,
    make_impact,
    mark_paid,
)

YEAR = 2025
UTC = datetime.UTC


def at(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(YEAR, month, day, hour, 0, tzinfo=UTC)


def meeting(start: datetime.datetime, hours: float, **fields) -> Meeting:
    return MeetingFactory(
        starts_at=start, ends_at=start + datetime.timedelta(hours=hours), **fields
    )


def expense(advisor, *, on: datetime.date, amount: str, project=None, **fields) -> Claim:
    return Claim.objects.create(
        advisor=advisor,
        kind=Claim.Kind.EXPENSE,
        expense_type=Claim.ExpenseType.TRAVEL,
        description="Bus",
        activity_date=on,
        amount=Decimal(amount),
        project=project,
        **fields,
    )


def logged(advisor, *, on: datetime.date, hours: str, amount: str, status: str, project=None):
    return Claim.objects.create(
        advisor=advisor,
        kind=Claim.Kind.TIME,
        activity="Reading papers",
        activity_date=on,
        hours=Decimal(hours),
        amount=Decimal(amount),
        project=project,
        status=status,
    )


class KnownUnit(BaseTestCase):
    """2025, worked out by hand.

    Meetings (all in the past): a two-hour Management Group on 10 March (Alice attended and
    prepared 1.5 hours; Bob stayed 45 minutes; Carl was absent), a 90-minute PIEG on 5 April
    (Alice, with 15 minutes' preparation), a cancelled Management Group in April and one on
    1 June nobody came to. A workshop on 31 December 2024 is outside the year.
    Logged time: Bob 3 hours in April (approved, £82.50, Care at home), Alice 1.25 hours in May
    (submitted, £34.38), Dan 2.5 hours (rejected: not counted).
    Paid expenses for Travel study (budget £100): 10, 20 and 30 days after the activity paid
    in March, 40 days in April (£10 + £20 + £30 + £40).
    Budgets: Travel study £100 (all committed: over), Care at home £1,000 (£82.50),
    Quiet project £50 (nothing), and a project with no budget.
    Actual impacts in 2025: one at identifying, two at design; an anticipated one and one
    from 2024 are not counted."""

    def setUp(self) -> None:
        super().setUp()
        self.carl, self.dan = AdvisorFactory(), AdvisorFactory()
        m1 = meeting(at(3, 10), 2, type=Meeting.Type.MANAGEMENT)
        Attendance.objects.create(
            meeting=m1,
            advisor=self.alice,
            status=Attendance.Status.ATTENDED,
            preparation_hours=Decimal("1.50"),
        )
        Attendance.objects.create(
            meeting=m1, advisor=self.bob, status=Attendance.Status.PARTLY, minutes_attended=45
        )
        Attendance.objects.create(meeting=m1, advisor=self.carl, status=Attendance.Status.ABSENT)
        m2 = meeting(at(4, 5), 1.5, type=Meeting.Type.PIEG)
        Attendance.objects.create(
            meeting=m2,
            advisor=self.alice,
            status=Attendance.Status.ATTENDED,
            preparation_hours=Decimal("0.25"),
        )
        meeting(at(4, 20), 2, type=Meeting.Type.MANAGEMENT, status=Meeting.Status.CANCELLED)
        meeting(at(6, 1), 2, type=Meeting.Type.MANAGEMENT)
        old = meeting(datetime.datetime(2024, 12, 31, 10, tzinfo=UTC), 3, type="workshop")
        Attendance.objects.create(meeting=old, advisor=self.alice, status="attended")

        self.travel = ProjectFactory(title="Travel study")
        self.care = ProjectFactory(title="Care at home")
        quiet = ProjectFactory(title="Quiet project")
        ProjectFactory(title="No budget")
        for project, budget in ((self.travel, "100.00"), (self.care, "1000.00"), (quiet, "50")):
            Project.objects.filter(pk=project.pk).update(pie_budget=Decimal(budget))

        logged(
            self.bob,
            on=datetime.date(YEAR, 4, 15),
            hours="3.00",
            amount="82.50",
            status=Claim.Status.APPROVED,
            project=self.care,
        )
        logged(
            self.alice,
            on=datetime.date(YEAR, 5, 20),
            hours="1.25",
            amount="34.38",
            status=Claim.Status.SUBMITTED,
        )
        logged(
            self.dan,
            on=datetime.date(YEAR, 5, 2),
            hours="2.50",
            amount="68.75",
            status=Claim.Status.REJECTED,
        )
        for activity, paid, amount in (
            ((3, 1), (3, 11), "10.00"),
            ((2, 20), (3, 12), "20.00"),
            ((3, 1), (3, 31), "30.00"),
            ((3, 1), (4, 10), "40.00"),
        ):
            claim = expense(
                self.alice,
                on=datetime.date(YEAR, *activity),
                amount=amount,
                project=self.travel,
                status=Claim.Status.APPROVED,
            )
            mark_paid(claim, paid_on=datetime.date(YEAR, *paid))

        for stage, kind, on in (
            ("identifying", "actual", datetime.date(YEAR, 2, 1)),
            ("design", "actual", datetime.date(YEAR, 6, 1)),
            ("design", "actual", datetime.date(YEAR, 7, 1)),
            ("design", "anticipated", datetime.date(YEAR, 7, 1)),
            ("design", "actual", datetime.date(2024, 7, 1)),
        ):
            make_impact(self.care, self.staff_sam, kind=kind, stage=stage, recorded_on=on)


class KeyFiguresTest(KnownUnit):
    def test_the_figures_are_the_ones_worked_out_by_hand(self) -> None:
        f = key_figures(Period.calendar_year(YEAR))
        # Alice, Bob, Carl, Dan: all active.
        self.assertEqual(f.advisors_active, 4)
        # Alice and Bob took part; Carl was absent and Dan's time was turned down.
        self.assertEqual(f.advisors_involved, 2)
        self.assertEqual(
            f.hours_by_month,
            [
                (datetime.date(YEAR, 3, 1), Decimal("4.25")),  # 2 + 1.5 + 0.75
                (datetime.date(YEAR, 4, 1), Decimal("4.75")),  # 1.5 + 0.25 + 3
                (datetime.date(YEAR, 5, 1), Decimal("1.25")),
            ],
        )
        self.assertEqual(f.hours, Decimal("10.25"))
        self.assertEqual(f.meetings_held, 3)
        self.assertEqual(f.meetings_by_type, [("Management Group", 2), ("PIEG", 1)])
        self.assertEqual((f.management_with_advisor, f.management_held), (1, 2))
        self.assertEqual(f.paid_total, Decimal("100.00"))
        self.assertEqual(f.committed_total, Decimal("182.50"))
        self.assertEqual(f.claims_paid, 4)
        self.assertEqual(f.median_days_to_pay, 25)  # (20 + 30) / 2
        self.assertEqual(f.p90_days_to_pay, 40)
        self.assertEqual(
            f.days_to_pay_by_month,
            [
                {
                    "month": datetime.date(YEAR, 3, 1),
                    "count": 3,
                    "median": 20,
                    "p90": 30.0,
                    "on_target": 2,
                },
                {
                    "month": datetime.date(YEAR, 4, 1),
                    "count": 1,
                    "median": 40,
                    "p90": 40.0,
                    "on_target": 0,
                },
            ],
        )
        self.assertEqual(
            (f.budget_count, f.budget_total, f.budget_committed, f.budget_paid),
            (3, Decimal("1150.00"), Decimal("182.50"), Decimal("100.00")),
        )
        self.assertEqual((f.budgets_over, f.budgets_near), (1, 0))
        # The PDF lists every project with a budget, by title.
        self.assertEqual(
            [b.name for b in f.budgets], ["Care at home", "Quiet project", "Travel study"]
        )
        self.assertEqual(dict(f.impacts_by_stage)["Identifying and prioritising"], 1)
        self.assertEqual(dict(f.impacts_by_stage)["Design"], 2)
        self.assertEqual(sum(n for _, n in f.impacts_by_stage), 3)

    def test_the_dashboard_shows_them_with_the_budgets_nearest_their_limit(self) -> None:
        self.client.force_login(self.manager_mo)
        with mock.patch("reports.figures.BUDGETS_SHOWN", 2):
            response = self.client.get(reverse("reports:home"), {"year": YEAR})
        self.assertContains(response, '<dd id="figure-hours">10.25 hours')
        self.assertContains(response, '<dd id="figure-management">1 of 2 (50%)</dd>')
        budgets = response.context["budgets"]
        self.assertEqual([b.name for b in budgets], ["Travel study", "Care at home"])
        self.assertContains(response, "3 projects have a PIE budget: £1,150.00 in all")
        self.assertContains(response, "1 is over budget")
        self.assertContains(response, "The other project budget is listed in the annual PDF")

    def test_the_annual_evidence_counts_impacts_and_training_in_the_database(self) -> None:
        TrainingFactory(advisor=self.alice, course="Plain summaries", completed_on=at(5, 1).date())
        TrainingFactory(advisor=self.bob, course="Plain summaries", completed_on=at(5, 2).date())
        TrainingFactory(advisor=self.alice, course="Data protection", completed_on=at(5, 3).date())
        e = annual_evidence(Period.calendar_year(YEAR), equality=[])
        # In research stage order (identifying comes first), with the kind of change.
        self.assertEqual(
            e.impacts,
            [
                ("Identifying and prioritising", "Data collection tools", 1),
                ("Design", "Data collection tools", 2),
            ],
        )
        self.assertEqual((e.impacts_listed, e.impacts_projects), (3, 1))
        self.assertEqual((e.training_courses, e.advisors_trained), (3, 2))
        self.assertEqual(e.training_by_course, [("Plain summaries", 2), ("Data protection", 1)])


class CachedFiguresTest(KnownUnit):
    def test_the_dashboard_says_when_and_works_them_out_again_after_five_minutes(self) -> None:
        self.assertEqual(FIGURES_CACHE_SECONDS, 300)
        self.client.force_login(self.manager_mo)
        url = reverse("reports:home")
        start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        with time_machine.travel(start, tick=False):
            first = self.client.get(url, {"year": YEAR})
        self.assertContains(first, "These figures were worked out at 09:00 on 2 March 2026")
        self.assertContains(first, '<dd id="figure-meetings">3 ')
        meeting(at(9, 1), 1, type=Meeting.Type.PIEG)
        with time_machine.travel(start + datetime.timedelta(minutes=4), tick=False):
            kept = self.client.get(url, {"year": YEAR})
        self.assertContains(kept, "worked out at 09:00")
        self.assertContains(kept, '<dd id="figure-meetings">3 ')
        with time_machine.travel(start + datetime.timedelta(minutes=5, seconds=1), tick=False):
            fresh = self.client.get(url, {"year": YEAR})
        self.assertContains(fresh, "worked out at 09:05")
        self.assertContains(fresh, '<dd id="figure-meetings">4 ')

    def test_each_year_has_its_own_figures(self) -> None:
        self.client.force_login(self.manager_mo)
        url = reverse("reports:home")
        self.assertContains(self.client.get(url, {"year": YEAR}), '<dd id="figure-meetings">3 ')
        self.assertContains(self.client.get(url, {"year": YEAR + 1}), '<dd id="figure-meetings">0 ')


def grow(tc, n: int) -> None:
    """Many more of everything the figures count, in the same year."""
    projects = [ProjectFactory(title=f"Grown {i}") for i in range(n)]
    Project.objects.filter(pk__in=[p.pk for p in projects]).update(pie_budget=Decimal("500"))
    advisors = AdvisorFactory.create_batch(n)
    for i, advisor in enumerate(advisors):
        m = meeting(at(1 + i % 11, 1 + i % 27), 1 + i % 3)
        Attendance.objects.create(meeting=m, advisor=advisor, status="attended")
        claim = expense(
            advisor,
            on=datetime.date(YEAR, 1 + i % 11, 1),
            amount="12.00",
            project=projects[i],
            status=Claim.Status.APPROVED,
        )
        mark_paid(claim, paid_on=datetime.date(YEAR, 12, 1 + i % 27))
        logged(
            advisor, on=datetime.date(YEAR, 2, 1), hours="1.00", amount="27.50", status="approved"
        )
        impact = make_impact(
            projects[i], tc.staff_sam, advisor, kind="actual", recorded_on=at(8, 1).date()
        )
        impact.standards.add(Standard.objects.order_by("order").first())
        OutputFactory(project=projects[i], published_on=at(9, 1).date())
        TrainingFactory(advisor=advisor, course=f"Course {i}", completed_on=at(5, 1).date())
    ReportExample.objects.create(
        year=YEAR,
        standard=Standard.objects.order_by("order").first(),
        impact=ImpactRecord.objects.filter(kind="actual").last(),
        text="Grown example",
    )


class QueryBudgetTest(KnownUnit):
    """The pages run the same number of queries with a few records and with many more."""

    def counts(self, user, url: str, **params) -> tuple[int, int]:
        """(queries with the figures worked out, queries with them kept)."""
        self.client.force_login(user)
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            self.assertEqual(self.client.get(url, params).status_code, 200)
        with CaptureQueriesContext(connection) as warm:
            self.assertEqual(self.client.get(url, params).status_code, 200)
        return len(cold), len(warm)

    def test_the_dashboard_runs_the_same_queries_at_two_sizes(self) -> None:
        url = reverse("reports:home")
        small = self.counts(self.manager_mo, url, year=YEAR)
        grow(self, 12)
        self.assertEqual(self.counts(self.manager_mo, url, year=YEAR), small)
        # With the figures kept: session, user, groups, the report requests, the projects
        # for the report form. Nothing that grows with the data.
        self.assertEqual(small[1], 5)
        with self.assertNumQueries(5):
            self.client.get(url, {"year": YEAR})

    def test_the_evidence_page_runs_the_same_queries_at_two_sizes(self) -> None:
        url = reverse("reports:evidence")
        small = [self.counts(u, url, year=YEAR) for u in (self.staff_sam, self.manager_mo)]
        grow(self, 12)
        self.assertEqual(
            [self.counts(u, url, year=YEAR) for u in (self.staff_sam, self.manager_mo)], small
        )
        # The PIE team (with the choices offered) and the manager (reading only).
        self.assertLessEqual(small[0][0], 12)
        self.assertLessEqual(small[1][0], 12)

    def test_the_evidence_page_offers_only_the_newest_records(self) -> None:
        grow(self, 12)
        self.client.force_login(self.staff_sam)
        with (
            mock.patch("reports.figures.CANDIDATES_SHOWN", 5),
            mock.patch("reports.views.evidence.CANDIDATES_SHOWN", 5),
        ):
            response = self.client.get(reverse("reports:evidence"), {"year": YEAR})
        self.assertContains(response, "offers the 5 newest records")
        for section in response.context["sections"]:
            for _, choices in section["add_form"].fields["source"].choices[1:]:
                self.assertLessEqual(len(choices), 5)

    def test_the_letters_page_runs_the_same_queries_at_two_sizes(self) -> None:
        url = reverse("reports:letters")
        small = self.counts(self.staff_sam, url)
        grow(self, 12)
        self.assertEqual(self.counts(self.staff_sam, url), small)
        # Session, user, groups, how many advisors, one page of them.
        self.assertEqual(small, (5, 5))

    def test_the_letters_page_lists_fifty_at_a_time_and_finds_an_advisor_by_name(self) -> None:
        AdvisorFactory.create_batch(52, last_name="Zed")
        self.client.force_login(self.staff_sam)
        url = reverse("reports:letters")
        first = self.client.get(url)
        self.assertEqual(len(first.context["advisors"]), 50)
        self.assertContains(first, "56 advisors on the register, 50 to a page")
        self.assertContains(first, 'aria-label="Pages of advisors"')
        self.assertEqual(len(self.client.get(url, {"page": 2}).context["advisors"]), 6)
        found = self.client.get(url, {"q": "ashby"})
        self.assertEqual([a.full_name for a in found.context["advisors"]], ["Alice Ashby"])
        self.assertContains(found, "1 advisor found for “ashby”.")
