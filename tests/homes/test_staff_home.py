"""The coordinator's home (/staff/): a work queue with counts and links, per role; and the
superusers' system page (/staff/system/)."""

import datetime
from decimal import Decimal

import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advisors.models import Application
from ascru_pie.models import WorkerHeartbeat
from ascru_pie.roles import Role
from meetings.models import Attendance, Meeting
from payments.models import BankDetailsChange, CentralBudget, Claim, PaymentBatch
from privacy.models import SubjectAccessRequest
from projects.models import PIEPlan
from reminders.models import Delivery
from tests.base import BaseTestCase, make_user
from tests.factories import (
    AdvisorFactory,
    ApplicationFactory,
    PlanFactory,
    ProjectFactory,
    invite,
    make_claim,
    make_meeting,
)

# The queue's labels, as a coordinator reads them (pinned here, not imported).
APPLICATIONS = "Applications to review"
PLANS = "PIE plans to review"
ATTENDANCE = "Meetings that happened, with attendance not yet recorded"
CLAIMS = "Claims to approve"
AT_RISK = "Claims close to or past the date we aim to pay by"
TO_BATCH = "Approved claims to put in a payment batch"
BATCH_APPROVE = "Payment batches to approve"
BATCH_EXPORT = "Approved payment batches to send to the finance system"
BATCH_PAID = "Payment batches sent to finance, to mark as paid"
BANK = "New bank details to confirm"
OVER = "Budgets fully spent (100% or more)"
NEAR = "Budgets nearly spent (80% or more)"
FAILED = "Reminders that could not be sent"
CALL = "People to phone"
POST = "People to write to by post"
COPIES = "Requests for a copy of someone's records, not ready yet"

PIE_TEAM_ITEMS = {
    APPLICATIONS,
    PLANS,
    ATTENDANCE,
    CLAIMS,
    AT_RISK,
    TO_BATCH,
    BATCH_APPROVE,
    BATCH_EXPORT,
    BATCH_PAID,
    OVER,
    NEAR,
    FAILED,
    CALL,
    POST,
    COPIES,
}
FINANCE_ITEMS = {CLAIMS, AT_RISK, TO_BATCH, BATCH_APPROVE, BATCH_EXPORT, BATCH_PAID, BANK}

HOME = "/staff/"
SYSTEM = "/staff/system/"


def _financial_year_start(today: datetime.date) -> datetime.date:
    return datetime.date(today.year if today.month >= 4 else today.year - 1, 4, 1)


def _delivery(n: int, **fields) -> Delivery:
    return Delivery.objects.create(key=f"test:{n}:{fields}", kind="checkin", template="x", **fields)


def claim(advisor, *, days_ago: int = 0, **fields) -> Claim:
    """A claim for something done `days_ago` days ago (the factory's date is fixed)."""
    made = make_claim(advisor, **fields)
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    Claim.objects.filter(pk=made.pk).update(activity_date=day)
    return made


def fill(tc, n: int) -> None:
    """n of everything that waits (and of what does not), so counts can be checked at any size."""
    today = timezone.localdate()
    for i in range(n):
        ApplicationFactory(status=Application.Status.RECEIVED)
        ApplicationFactory(status=Application.Status.SHORTLISTED)
        ApplicationFactory(status=Application.Status.DECLINED)

        PlanFactory(status=PIEPlan.Status.SUBMITTED, submitted_at=timezone.now())
        PlanFactory(status=PIEPlan.Status.DRAFT)

        advisor = AdvisorFactory()
        waiting = make_meeting(days=-3 - i, title=f"Waiting {tc.round}-{i}")
        invite(waiting, advisor)
        recorded = make_meeting(days=-3 - i)
        invite(recorded, advisor)
        Attendance.objects.create(
            meeting=recorded,
            advisor=advisor,
            status=Attendance.Status.ATTENDED,
            confirmed_at=timezone.now(),
        )
        invite(make_meeting(days=-3 - i, status=Meeting.Status.CANCELLED), advisor)
        invite(make_meeting(days=3 + i), advisor)
        make_meeting(days=-3 - i)  # nobody invited: no attendance to record

        # Submitted this week (not at risk) and submitted long ago (at risk too).
        claim(advisor)
        claim(advisor, days_ago=40)
        claim(advisor, status="approved")
        claim(advisor, status="rejected")

        ref = f"T{tc.round}-{i}"
        PaymentBatch.objects.create(reference=f"{ref}-b", created_by=tc.staff_sam)
        PaymentBatch.objects.create(
            reference=f"{ref}-a",
            created_by=tc.staff_sam,
            status=PaymentBatch.Status.APPROVED,
            approved_by=tc.finance_fay,
        )
        PaymentBatch.objects.create(
            reference=f"{ref}-e",
            created_by=tc.staff_sam,
            status=PaymentBatch.Status.APPROVED,
            approved_by=tc.finance_fay,
            exported_at=timezone.now(),
        )
        PaymentBatch.objects.create(
            reference=f"{ref}-p",
            created_by=tc.staff_sam,
            status=PaymentBatch.Status.PAID,
            paid_on=today,
        )

        # Budgets of £100: £120 committed (over), £85 (nearly spent), £10 (fine).
        for spent in ("120.00", "85.00", "10.00"):
            project = ProjectFactory(pie_budget=Decimal("100.00"))
            claim(advisor, status="approved", amount=spent, project=project)

        key = f"{tc.round}-{i}"
        _delivery(f"{key}f", status=Delivery.Status.FAILED)
        # Calls and letters to an Active advisor (Paused or Left ones are not phoned).
        listed = {"status": Delivery.Status.LISTED, "advisor": advisor}
        _delivery(f"{key}c", channel=Delivery.Channel.CALL, **listed)
        _delivery(f"{key}p", channel=Delivery.Channel.POST, **listed)
        _delivery(f"{key}s", status=Delivery.Status.SENT)
        for channel in (Delivery.Channel.CALL, Delivery.Channel.POST):  # ticked off: done
            _delivery(
                f"{key}d{channel}",
                status=Delivery.Status.LISTED,
                channel=channel,
                done_at=timezone.now(),
                done_by=tc.staff_sam,
            )

        BankDetailsChange.objects.create(
            advisor=advisor, by=tc.staff_sam, new_last4="1234", status="pending"
        )
        BankDetailsChange.objects.create(advisor=advisor, by=tc.staff_sam, new_last4="5678")

        SubjectAccessRequest.objects.create(advisor=advisor, requested_by=tc.staff_sam)
        SubjectAccessRequest.objects.create(
            advisor=advisor, requested_by=tc.staff_sam, status=SubjectAccessRequest.Status.READY
        )
    tc.round += 1


class StaffHomeTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = make_user("root", is_superuser=True, is_staff=True, first_name="Root")
        cls.round = 0

    def queue(self, user) -> dict:
        self.client.force_login(user)
        response = self.client.get(HOME)
        self.assertEqual(response.status_code, 200)
        return {item.label: item for item in response.context["queue"]}


class WorkQueueCountsTest(StaffHomeTestCase):
    def test_each_count_is_what_is_waiting(self) -> None:
        fill(self, 2)
        counts = {label: item.count for label, item in self.queue(self.staff_sam).items()}
        # Per round: received + shortlisted; one meeting unrecorded; both submitted claims, the
        # old one at risk; 1 + 3 approved claims (the budget ones) ready for a batch.
        self.assertEqual(
            counts,
            {
                APPLICATIONS: 4,
                PLANS: 2,
                ATTENDANCE: 2,
                CLAIMS: 4,
                AT_RISK: 2,
                TO_BATCH: 8,
                BATCH_APPROVE: 2,
                BATCH_EXPORT: 2,
                BATCH_PAID: 2,
                OVER: 2,
                NEAR: 2,
                FAILED: 2,
                CALL: 2,
                POST: 2,
                COPIES: 2,
            },
        )
        self.assertEqual(self.queue(self.finance_fay)[BANK].count, 2)

    def test_an_empty_queue_says_nothing_is_waiting(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.get(HOME)
        self.assertTrue(all(item.count == 0 for item in response.context["queue"]))
        self.assertContains(response, "Nothing waiting", count=len(PIE_TEAM_ITEMS))
        self.assertNotContains(response, "rounded-pill")

    def test_items_with_something_waiting_come_first(self) -> None:
        claim(self.alice)
        _delivery(1, status=Delivery.Status.FAILED)
        labels = list(self.queue(self.staff_sam))
        self.assertEqual(labels[:2], [CLAIMS, FAILED])
        self.assertContains(self.client.get(HOME), "1 waiting", count=2)

    def test_plans_in_review_are_named_with_a_link_to_review_each(self) -> None:
        plan = PlanFactory(
            project=ProjectFactory(title="Care at home"),
            status=PIEPlan.Status.RESUBMITTED,
            version=2,
            submitted_at=timezone.now(),
        )
        item = self.queue(self.staff_sam)[PLANS]
        review = reverse("projects:plan-review", args=[plan.project_id])
        self.assertEqual(item.named, [("Care at home (version 2)", review)])
        self.assertContains(
            self.client.get(HOME), f'<a href="{review}">Care at home (version 2)</a>'
        )

    def test_the_page_says_nothing_about_workers_or_processes(self) -> None:
        self.client.force_login(self.staff_sam)
        content = self.client.get(HOME).content.decode().lower()
        for jargon in ("worker", "in-process", "heartbeat", "celery", "queue"):
            with self.subTest(jargon=jargon):
                self.assertNotIn(jargon, content.replace("queue-heading", ""))


class WorkQueueLinksTest(StaffHomeTestCase):
    def test_every_link_opens_the_page_where_the_work_is_done(self) -> None:
        fill(self, 2)
        for user in (self.staff_sam, self.finance_fay, self.root):
            for label, item in self.queue(user).items():
                with self.subTest(user=user.username, item=label):
                    response = self.client.get(item.url)
                    # An admin filter it does not accept redirects with ?e=1.
                    self.assertEqual(response.status_code, 200, item.url)

    def test_links_are_filtered_to_the_waiting_things(self) -> None:
        fill(self, 2)
        queue = self.queue(self.staff_sam)
        applications = self.client.get(queue[APPLICATIONS].url)
        self.assertEqual(applications.context["cl"].result_count, 4)
        self.assertEqual(queue[FAILED].url, reverse("reminders:log") + "?status=failed#log-heading")
        self.assertEqual(queue[ATTENDANCE].url, reverse("meetings:list") + "?when=past")
        self.assertEqual(queue[CLAIMS].url, reverse("payments:claims"))
        self.assertEqual(queue[OVER].url, reverse("payments:budgets"))
        self.assertEqual(queue[COPIES].url, reverse("privacy:sar-list"))
        bank = self.client.get(self.queue(self.finance_fay)[BANK].url)
        self.assertEqual(bank.context["cl"].result_count, 2)

    def test_a_single_meeting_or_bank_change_links_straight_to_it(self) -> None:
        meeting = make_meeting(days=-2)
        invite(meeting, self.alice)
        change = BankDetailsChange.objects.create(
            advisor=self.bob, by=self.staff_sam, new_last4="4321", status="pending"
        )
        self.assertEqual(
            self.queue(self.staff_sam)[ATTENDANCE].url,
            reverse("payments:attendance", args=[meeting.pk]),
        )
        self.assertEqual(
            self.queue(self.finance_fay)[BANK].url,
            reverse("payments:bank-details", args=[change.advisor_id]),
        )

    def test_a_link_is_shown_only_when_something_is_waiting(self) -> None:
        claim(self.alice)
        self.client.force_login(self.staff_sam)
        response = self.client.get(HOME)
        self.assertContains(
            response, f'<a href="{reverse("payments:claims")}" class="fw-semibold">'
        )
        self.assertNotContains(response, f'class="fw-semibold">{APPLICATIONS}</a>')


class WorkQueueRolesTest(StaffHomeTestCase):
    def test_each_role_sees_only_the_work_it_may_do(self) -> None:
        self.assertEqual(set(self.queue(self.staff_sam)), PIE_TEAM_ITEMS)
        self.assertEqual(set(self.queue(self.finance_fay)), FINANCE_ITEMS)
        self.assertEqual(set(self.queue(self.root)), PIE_TEAM_ITEMS | FINANCE_ITEMS)

    def test_other_roles_are_refused(self) -> None:
        for role in (Role.MANAGER, Role.ADVISOR, Role.RESEARCHER):
            with self.subTest(role=str(role)):
                self.client.force_login(self.persona(role))
                self.assertEqual(self.client.get(HOME).status_code, 403)
        self.client.logout()
        self.assertRedirects(self.client.get(HOME), f"{reverse('login')}?next={HOME}")

    def test_go_to_links_follow_the_role(self) -> None:
        self.client.force_login(self.staff_sam)
        pie = self.client.get(HOME)
        for name in ("privacy:sar-list", "privacy:erasure-list", "advisors:equality-summary"):
            self.assertContains(pie, reverse(name))
        self.assertNotContains(pie, SYSTEM)
        self.client.force_login(self.finance_fay)
        finance = self.client.get(HOME)
        self.assertContains(finance, reverse("payments:batches"))
        for name in ("privacy:sar-list", "reminders:log", "meetings:list"):
            self.assertNotContains(finance, reverse(name))
        self.client.force_login(self.root)
        self.assertContains(self.client.get(HOME), f'href="{SYSTEM}"')


class WorkQueueQueriesTest(StaffHomeTestCase):
    def count_queries(self, user) -> int:
        cache.clear()  # the budget alerts are kept five minutes: count them being worked out
        self.client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(HOME).status_code, 200)
        return len(queries)

    def test_the_page_makes_the_same_few_queries_however_much_is_waiting(self) -> None:
        # Finance (6): session, user, roles; claims, batches, pending bank details (one
        # aggregate each); nothing else.
        # The PIE team (12): session, user, roles; applications, plans in review, meetings,
        # claims, batches, reminders, subject access (one query each); budgets through
        # payments.selectors.budget_alerts: the projects with a budget and their sums, this
        # year's central budgets (all four) and theirs.
        year = _financial_year_start(timezone.localdate())
        for category in CentralBudget.Category.values:
            CentralBudget.objects.create(year_starting=year, category=category, amount="500.00")
        fill(self, 1)
        small = {u.username: self.count_queries(u) for u in (self.staff_sam, self.finance_fay)}
        fill(self, 5)
        large = {u.username: self.count_queries(u) for u in (self.staff_sam, self.finance_fay)}
        self.assertEqual(small, large)
        self.assertEqual(large, {"sam": 12, "fay": 6})

    def test_budget_alerts_are_worked_out_once_in_five_minutes(self) -> None:
        self.client.force_login(self.staff_sam)
        self.client.get(HOME)  # works the alerts out and keeps them
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(HOME).status_code, 200)
        self.assertEqual(len(queries), 10)  # the same less the two budget queries


class BudgetAlertAgeTest(StaffHomeTestCase):
    def test_a_new_overspend_shows_within_five_minutes(self) -> None:
        advisor = AdvisorFactory()
        project = ProjectFactory(pie_budget=Decimal("100.00"))
        with time_machine.travel(timezone.now(), tick=False) as clock:
            self.assertEqual(self.queue(self.staff_sam)[OVER].count, 0)
            claim(advisor, status="approved", amount="120.00", project=project)
            self.assertEqual(self.queue(self.staff_sam)[OVER].count, 0)  # still the kept figure
            clock.shift(datetime.timedelta(minutes=6))
            self.assertEqual(self.queue(self.staff_sam)[OVER].count, 1)


class SystemPageTest(StaffHomeTestCase):
    def test_only_superusers_may_open_it(self) -> None:
        for role in (Role.PIE_TEAM, Role.FINANCE, Role.MANAGER, Role.ADVISOR, Role.RESEARCHER):
            with self.subTest(role=str(role)):
                self.client.force_login(self.persona(role))
                self.assertEqual(self.client.get(SYSTEM).status_code, 403)
        self.client.logout()
        self.assertRedirects(self.client.get(SYSTEM), f"{reverse('login')}?next={SYSTEM}")
        self.client.force_login(self.root)
        self.assertEqual(self.client.get(SYSTEM).status_code, 200)

    def test_without_a_broker_it_says_the_website_does_the_work_itself(self) -> None:
        self.client.force_login(self.root)
        with override_settings(CELERY_BROKER_URL=""):
            response = self.client.get(SYSTEM)
        self.assertContains(response, "the website does the\n    background work itself")

    @override_settings(CELERY_BROKER_URL="redis://broker.invalid:6379/0")
    def test_it_says_whether_the_worker_is_running(self) -> None:
        self.client.force_login(self.root)
        self.assertContains(self.client.get(SYSTEM), "It has never checked in.")
        beat = WorkerHeartbeat.objects.create(token="a")
        self.assertContains(self.client.get(SYSTEM), "<strong>Running.</strong>")
        WorkerHeartbeat.objects.filter(pk=beat.pk).update(
            created_at=timezone.now() - datetime.timedelta(minutes=20)
        )
        self.assertContains(
            self.client.get(SYSTEM), "<strong>Not running.</strong> It last checked in"
        )

    def test_it_counts_work_held_up_and_failed(self) -> None:
        # A reminder email the broker never took is held up; one failed.
        _delivery(1, status=Delivery.Status.PENDING)
        _delivery(2, status=Delivery.Status.FAILED)
        self.client.force_login(self.root)
        response = self.client.get(SYSTEM)
        work = {w.label: (w.waiting, w.stuck, w.failed) for w in response.context["status"].work}
        self.assertEqual(work["Reminder emails to send"], (1, 1, 1))
        self.assertContains(response, "Work is held up when")

    def test_the_staff_home_no_longer_shows_the_worker(self) -> None:
        self.client.force_login(self.root)
        self.assertNotContains(self.client.get(HOME), "Background worker")
