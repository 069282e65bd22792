"""Reminders at a hundred times a unit's size: the hourly run's queries do not grow with the
register (only with what is due), the inactive rule finds the same advisors with one subquery
per relation, and the reminders log's queries do not grow with the log."""

import datetime
from unittest import mock

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advisors.models import Advisor, ContactMethod
from meetings.models import Attendance, Invitation
from payments.models import Claim
from reminders import services as reminders
from reminders.models import Delivery
from reminders.tasks import reminders_run
from tests.base import BaseTestCase
from tests.factories import (
    AdvisorFactory,
    invite,
    make_claim,
    make_meeting,
    make_survey,
)

NOW = datetime.datetime(2026, 6, 1, 9, 5, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def run(now: datetime.datetime = NOW) -> int:
    """The hourly task at `now`; returns how many queries it took."""
    with time_machine.travel(now, tick=False):
        with mock.patch("reminders.tasks.delivery_send.delay"):
            with CaptureQueriesContext(connection) as queries:
                reminders_run()
    return len(queries)


@time_machine.travel(NOW, tick=False)
class InactiveAdvisorsTest(BaseTestCase):
    """Every edge of "no involvement for 90 days": invitations, attendance (absent does not
    count), claims, the joining date, and Paused or Left advisors."""

    def setUp(self) -> None:
        super().setUp()
        old = make_meeting(days=-100)  # held 100 days ago
        recent = make_meeting(days=-20)  # held 20 days ago
        # invited_at: an old invitation was made 120 days ago.
        long_ago = NOW - 120 * DAY
        self.old_invite = AdvisorFactory(first_name="Ida", last_name="Invited")
        invite(recent, self.old_invite, rsvp=Invitation.RSVP.PENDING, invited_at=long_ago)
        self.recent_invite = AdvisorFactory(first_name="Rose", last_name="Recent")
        invite(recent, self.recent_invite, rsvp=Invitation.RSVP.PENDING, invited_at=NOW - 10 * DAY)
        self.attended_old = AdvisorFactory(first_name="Otto", last_name="Old")
        invite(old, self.attended_old, invited_at=long_ago)
        Attendance.objects.create(
            meeting=old, advisor=self.attended_old, status=Attendance.Status.ATTENDED
        )
        # Absent from a recent meeting they were invited to long ago: not involved.
        self.absent = AdvisorFactory(first_name="Abe", last_name="Absent")
        invite(recent, self.absent, invited_at=long_ago)
        Attendance.objects.create(
            meeting=recent, advisor=self.absent, status=Attendance.Status.ABSENT
        )
        self.attended_recent = AdvisorFactory(first_name="Ari", last_name="Attended")
        invite(recent, self.attended_recent, invited_at=long_ago)
        Attendance.objects.create(
            meeting=recent, advisor=self.attended_recent, status=Attendance.Status.ATTENDED
        )
        self.recent_claim = AdvisorFactory(first_name="Cleo", last_name="Claimed")
        make_claim(self.recent_claim)
        self.old_claim = AdvisorFactory(first_name="Olga", last_name="Claimed")
        Claim.objects.filter(pk=make_claim(self.old_claim).pk).update(created_at=NOW - 200 * DAY)
        self.no_date = AdvisorFactory(first_name="Nat", last_name="Nodate", joined_on=None)
        self.new = AdvisorFactory(first_name="Nora", last_name="New", joined_on=NOW.date() - DAY)
        for status in (Advisor.Status.PAUSED, Advisor.Status.LEFT):
            AdvisorFactory(first_name=status, last_name="Gone", status=status)

    def test_the_same_advisors_and_dates_as_before(self) -> None:
        found = [
            (a.full_name, a.last_invited, a.last_attended, a.last_claim)
            for a in reminders.inactive_advisors(NOW)
        ]
        self.assertEqual(
            found,
            [
                ("Abe Absent", NOW - 120 * DAY, None, None),
                ("Alice Ashby", None, None, None),
                ("Bob Brown", None, None, None),
                ("Olga Claimed", None, None, NOW - 200 * DAY),
                ("Ida Invited", NOW - 120 * DAY, None, None),
                ("Nat Nodate", None, None, None),
                ("Otto Old", NOW - 120 * DAY, NOW.replace(microsecond=0) - 100 * DAY, None),
            ],
        )

    def test_the_check_in_keys_name_the_day_of_last_involvement(self) -> None:
        keys = {r.advisor.first_name: r.key for r in reminders.inactive_checkins(NOW)}
        self.assertEqual(keys["Otto"], f"checkin:advisor-{self.attended_old.pk}:since-2026-02-21")
        self.assertEqual(keys["Ida"], f"checkin:advisor-{self.old_invite.pk}:since-2026-02-01")
        self.assertEqual(keys["Olga"], f"checkin:advisor-{self.old_claim.pk}:since-2025-11-13")
        self.assertEqual(keys["Alice"], f"checkin:advisor-{self.alice.pk}:since-2025-01-15")
        self.assertEqual(keys["Nat"], f"checkin:advisor-{self.no_date.pk}:since-never")

    def test_a_second_run_checks_nobody_in_again(self) -> None:
        run()
        self.assertEqual(Delivery.objects.filter(kind="checkin").count(), 7)
        self.assertEqual(list(reminders.inactive_checkins(NOW + datetime.timedelta(hours=1))), [])
        run(NOW + datetime.timedelta(hours=1))
        self.assertEqual(Delivery.objects.filter(kind="checkin").count(), 7)


@time_machine.travel(NOW, tick=False)
class RunQueriesTest(BaseTestCase):
    """The hourly run at two sizes of register: what it costs grows with what is due, not
    with the number of advisors."""

    def setUp(self) -> None:
        super().setUp()
        make_survey()
        self.meeting = make_meeting(days=7)

    def register(self, n: int) -> list[Advisor]:
        """n more advisors, a third of whom prefer phone, all invited just now to the meeting
        in 7 days and saying yes (so a 7-day reminder and the survey are due to each)."""
        advisors = [
            AdvisorFactory(
                contact_method=ContactMethod.PHONE if i % 3 == 0 else ContactMethod.EMAIL,
                phone="01234 567890",
            )
            for i in range(n)
        ]
        invite(self.meeting, *advisors)
        return advisors

    def test_an_hour_with_nothing_new_costs_the_same_for_5_or_50_advisors(self) -> None:
        self.register(5)
        run()
        # In the task's savepoint: one query per rule (two for meeting reminders; the digest's
        # team who have not had today's, then its three counts and two for budgets; the
        # survey and its invitees). Nothing is new: no consent or key check, no insert.
        small = run(NOW + HOUR)
        self.register(45)
        run()
        self.assertEqual(Delivery.objects.filter(kind="survey").count(), 52)
        big = run(NOW + HOUR)
        self.assertEqual(small, big)
        self.assertEqual(big, 18)

    def test_the_first_run_grows_only_with_the_batches_of_what_is_due(self) -> None:
        self.register(5)
        small = run()
        self.meeting = make_meeting(days=7, title="Second")
        self.register(50)
        big = run()
        self.assertEqual(Delivery.objects.filter(kind="meeting-7d").count(), 55)
        self.assertEqual(Delivery.objects.filter(kind="survey").count(), 57)
        self.assertEqual(Delivery.objects.filter(kind="invite").count(), 2 + 17)
        # 5 advisors: the rules, the consent check, the key check, one insert. 50 more: the
        # same, with the insert in SQLite's batches (PostgreSQL takes them in one).
        self.assertLessEqual(big - small, 4)

    def test_a_retried_run_sends_nothing_twice(self) -> None:
        self.register(10)
        with mock.patch("reminders.tasks.delivery_send.delay") as delay:
            with self.captureOnCommitCallbacks(execute=True):
                first = reminders_run()
                second = reminders_run()
        self.assertEqual(second, 0)
        self.assertEqual(delay.call_count, first)
        # The 4 who prefer phone are listed (invitation, reminder, survey), not emailed.
        listed = Delivery.objects.filter(status=Delivery.Status.LISTED).count()
        self.assertEqual((Delivery.objects.count(), listed), (first + 12, 12))


class LogQueriesTest(BaseTestCase):
    """The reminders log at two sizes of every list on it: the same number of queries."""

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)
        self.n = 0

    def fill(self, n: int) -> None:
        """n of everything: reminders sent, failed, calls, letters, calls done, inactive advisors."""
        now = timezone.now()
        rows = []
        for _ in range(n):
            self.n += 1
            advisor = AdvisorFactory(
                first_name=f"Quiet{self.n}", joined_on=datetime.date(2024, 1, 1)
            )
            for kind, channel, status, extra in [
                ("meeting-7d", Delivery.Channel.EMAIL, Delivery.Status.SENT, {"sent_at": now}),
                ("survey", Delivery.Channel.EMAIL, Delivery.Status.FAILED, {"error": "boom"}),
                ("rsvp-chase", Delivery.Channel.CALL, Delivery.Status.LISTED, {}),
                ("checkin", Delivery.Channel.POST, Delivery.Status.LISTED, {}),
                (
                    "agenda-deadline",
                    Delivery.Channel.CALL,
                    Delivery.Status.LISTED,
                    {"done_at": now, "done_by": self.staff_sam, "outcome": "Said yes"},
                ),
            ]:
                rows.append(
                    Delivery(
                        key=f"{kind}:{self.n}",
                        kind=kind,
                        advisor=advisor,
                        channel=channel,
                        status=status,
                        template="reminder-meeting",
                        recipient="someone",
                        **extra,
                    )
                )
        Delivery.objects.bulk_create(rows)

    def test_the_same_queries_for_1_or_30_of_everything(self) -> None:
        # session, user, the user's groups (role check), the log's count and page with
        # advisors and users, the first calls and letters per channel with their totals (a
        # window query ranks them, then those are loaded), the calls and letters ticked off lately, the first failed emails
        # with their total, the first inactive advisors with their total.
        self.fill(1)
        with self.assertNumQueries(10):
            response = self.client.get("/staff/reminders/")
        self.assertEqual(response.context["inactive_total"], 3)  # with Alice and Bob
        self.fill(29)
        with self.assertNumQueries(10):
            response = self.client.get("/staff/reminders/")
        lists = {
            channel: (items, total)
            for channel, items, _, _, total in response.context["contact_lists"]
        }
        self.assertEqual((len(lists["call"][0]), lists["call"][1]), (25, 30))
        self.assertEqual((len(lists["post"][0]), lists["post"][1]), (25, 30))
        self.assertEqual(
            (len(response.context["failed"]), response.context["failed_total"]), (25, 30)
        )
        self.assertEqual(response.context["inactive_total"], 32)
        self.assertEqual(len(response.context["inactive"]), 25)
        self.assertContains(
            response, "The first 25 of 30, by surname. Tick them off to see the rest."
        )
        self.assertContains(response, "The newest 25 of 30.")
        self.assertContains(response, "The first 25 of 32 advisors, by surname")
        self.assertContains(response, "1 to 50 of 150 (page 1 of 3)")
