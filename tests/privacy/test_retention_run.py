"""The retention job: what is due is erased, what is not stays, it says what it did, and a
second run changes nothing."""

import datetime
from io import StringIO
from pathlib import Path

import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from advisors.models import Advisor, Application, ApplicationEvent
from payments.models import BankDetailsChange, Claim
from payments.services.bank_details import bank_details_set
from privacy import tasks
from privacy.records import ErasureRecord, RetentionRun
from privacy.retention import months_before, retention_run
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory, ApplicationFactory, make_claim, mark_paid

UTC = datetime.UTC


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, 12, 0, tzinfo=UTC)


class MonthsBeforeTests(BaseTestCase):
    def test_months_before_keeps_the_day_or_uses_the_months_last(self):
        self.assertEqual(months_before(datetime.date(2026, 7, 11), 6), datetime.date(2026, 1, 11))
        self.assertEqual(months_before(datetime.date(2026, 8, 31), 6), datetime.date(2026, 2, 28))
        self.assertEqual(months_before(datetime.date(2026, 3, 1), 24), datetime.date(2024, 3, 1))


class DeclinedApplicationsTests(BaseTestCase):
    def setUp(self):
        with time_machine.travel(at(2026, 1, 10), tick=False):
            self.declined = ApplicationFactory(
                first_name="Dora", last_name="Dunn", status="declined"
            )
            ApplicationEvent.objects.create(
                application=self.declined, to_status="declined", by=self.staff_sam
            )
            self.waiting = ApplicationFactory(first_name="Ed", last_name="Evans")

    def test_a_declined_application_is_erased_six_months_after_the_decision(self):
        with time_machine.travel(at(2026, 7, 9), tick=False):
            self.assertEqual(retention_run()["applications_erased"], 0)
        self.assertEqual(Application.objects.get(pk=self.declined.pk).last_name, "Dunn")
        with time_machine.travel(at(2026, 7, 11), tick=False):
            counts = retention_run()
        self.assertEqual(counts["applications_erased"], 1)
        declined = Application.objects.get(pk=self.declined.pk)
        self.assertRegex(declined.full_name, r"^Applicant [0-9A-F]{4}$")
        self.assertEqual(declined.email, "")
        self.assertEqual(ErasureRecord.objects.get().reason, ErasureRecord.Reason.RETENTION)
        # An application still being decided is never touched.
        self.assertEqual(Application.objects.get(pk=self.waiting.pk).last_name, "Evans")

    def test_running_twice_changes_nothing_the_second_time(self):
        with time_machine.travel(at(2026, 8, 1), tick=False):
            first = retention_run()
            state = list(Application.objects.values())
            second = retention_run()
        self.assertEqual(first["applications_erased"], 1)
        self.assertEqual(set(second.values()), {0})
        self.assertEqual(list(Application.objects.values()), state)
        self.assertEqual(ErasureRecord.objects.count(), 1)
        self.assertEqual(RetentionRun.objects.count(), 2)
        self.assertEqual(RetentionRun.objects.first().summary, "Nothing was due.")

    @override_settings(RETENTION_DECLINED_APPLICATION_MONTHS=1)
    def test_the_period_is_a_setting(self):
        with time_machine.travel(at(2026, 2, 11), tick=False):
            self.assertEqual(retention_run()["applications_erased"], 1)


class InactiveAdvisorsTests(BaseTestCase):
    def setUp(self):
        self.gone = AdvisorFactory(
            first_name="Gil", last_name="Gone", status="left", left_on=datetime.date(2024, 3, 1)
        )
        self.owed = AdvisorFactory(
            first_name="Olu", last_name="Owed", status="left", left_on=datetime.date(2024, 3, 1)
        )
        make_claim(self.owed, status="submitted")
        Claim.objects.filter(advisor=self.owed).update(activity_date=datetime.date(2024, 2, 1))

    def test_an_advisor_who_left_two_years_ago_is_erased_and_active_ones_stay(self):
        with time_machine.travel(at(2026, 2, 28), tick=False):
            self.assertEqual(retention_run()["advisors_erased"], 0)
        with time_machine.travel(at(2026, 3, 2), tick=False):
            counts = retention_run()
        self.assertEqual(counts["advisors_erased"], 1)
        self.assertRegex(Advisor.objects.get(pk=self.gone.pk).full_name, r"^Advisor [0-9A-F]{4}$")
        self.assertEqual(Advisor.objects.get(pk=self.alice.pk).full_name, "Alice Ashby")
        self.assertEqual(Advisor.objects.get(pk=self.bob.pk).full_name, "Bob Brown")

    def test_one_with_claims_still_to_pay_waits_and_is_reported(self):
        with time_machine.travel(at(2026, 3, 2), tick=False):
            counts = retention_run()
        self.assertEqual(counts["advisors_waiting_for_payment"], 1)
        self.assertEqual(Advisor.objects.get(pk=self.owed.pk).last_name, "Owed")
        self.assertIn("claims still to be paid", RetentionRun.objects.get().summary)
        mark_paid(*Claim.objects.filter(advisor=self.owed), paid_on=datetime.date(2026, 3, 5))
        with time_machine.travel(at(2026, 3, 6), tick=False):
            self.assertEqual(retention_run()["advisors_erased"], 1)
        self.assertNotEqual(Advisor.objects.get(pk=self.owed.pk).last_name, "Owed")
        self.assertEqual(
            [str(c.amount) for c in Claim.objects.filter(advisor=self.owed)], ["40.00"]
        )

    def test_an_advisor_with_no_date_of_leaving_is_never_erased_by_the_job(self):
        undated = AdvisorFactory(first_name="Una", last_name="Undated", status="paused")
        with time_machine.travel(at(2030, 1, 1), tick=False):
            retention_run()
        self.assertEqual(Advisor.objects.get(pk=undated.pk).last_name, "Undated")
        self.assertNotEqual(Advisor.objects.get(pk=self.gone.pk).last_name, "Gone")

    def test_someone_who_claimed_recently_is_not_erased_whatever_their_status(self):
        claim = make_claim(self.gone)
        Claim.objects.filter(pk=claim.pk).update(activity_date=datetime.date(2025, 6, 1))
        mark_paid(claim)
        with time_machine.travel(at(2026, 3, 2), tick=False):
            retention_run()
        self.assertEqual(Advisor.objects.get(pk=self.gone.pk).last_name, "Gone")


class FinancialRecordsTests(BaseTestCase):
    def setUp(self):
        self.claim = make_claim(self.alice, receipt=b"%PDF receipt")
        mark_paid(self.claim, paid_on=datetime.date(2026, 5, 10))
        self.claim.refresh_from_db()
        self.receipt = Path(settings.PRIVATE_MEDIA_ROOT) / self.claim.receipt.name
        with time_machine.travel(at(2026, 5, 1), tick=False):
            bank_details_set(
                advisor=self.alice,
                account_name="A Ashby",
                sort_code="12-34-56",
                account_number="12345678",
                by=self.advisor_alice,
            )

    def run_on(self, day):
        with time_machine.travel(day, tick=False), self.captureOnCommitCallbacks(execute=True):
            return retention_run()

    def test_receipts_are_kept_six_whole_tax_years_then_deleted_and_the_amount_stays(self):
        # Paid in tax year 2026/27: kept through 2032/33, deleted from 6 April 2033.
        self.assertEqual(self.run_on(at(2033, 4, 5))["receipts_deleted"], 0)
        self.assertTrue(self.receipt.exists())
        counts = self.run_on(at(2033, 4, 7))
        self.assertEqual(counts["receipts_deleted"], 1)
        self.assertEqual(counts["bank_change_digits_emptied"], 1)
        self.assertFalse(self.receipt.exists())
        claim = Claim.objects.get(pk=self.claim.pk)
        self.assertEqual((claim.receipt.name, str(claim.amount)), ("", "40.00"))
        self.assertEqual(claim.paid_on, datetime.date(2026, 5, 10))
        change = BankDetailsChange.objects.get(advisor=self.alice)
        self.assertEqual((change.old_last4, change.new_last4), ("", ""))
        again = self.run_on(at(2033, 4, 8))
        self.assertEqual((again["receipts_deleted"], again["bank_change_digits_emptied"]), (0, 0))

    @override_settings(RETENTION_FINANCIAL_YEARS=7)
    def test_the_financial_period_is_a_setting(self):
        self.assertEqual(self.run_on(at(2033, 4, 7))["receipts_deleted"], 0)
        self.assertEqual(self.run_on(at(2034, 4, 7))["receipts_deleted"], 1)


class RetentionDoorsTests(BaseTestCase):
    def setUp(self):
        with time_machine.travel(at(2025, 1, 10), tick=False):
            self.declined = ApplicationFactory(
                first_name="Dora", last_name="Dunn", status="declined"
            )

    def test_the_command_dry_run_counts_and_changes_nothing(self):
        out = StringIO()
        call_command("retention_run", "--dry-run", stdout=out)
        self.assertIn(
            "Would do (dry run): 1 application that did not go ahead was erased.", out.getvalue()
        )
        self.assertEqual(Application.objects.get(pk=self.declined.pk).last_name, "Dunn")
        self.assertFalse(RetentionRun.objects.exists())

    def test_the_command_erases_and_says_so(self):
        out = StringIO()
        call_command("retention_run", stdout=out)
        self.assertEqual(out.getvalue().strip(), "1 application that did not go ahead was erased.")
        self.assertNotEqual(Application.objects.get(pk=self.declined.pk).last_name, "Dunn")

    def test_the_beat_task_runs_the_job(self):
        self.assertEqual(tasks.retention_run()["applications_erased"], 1)
        self.assertEqual(RetentionRun.objects.count(), 1)

    def test_the_pie_team_sees_what_the_job_did(self):
        retention_run()
        self.client.force_login(self.staff_sam)
        response = self.client.get(reverse("privacy:erasure-list"))
        self.assertContains(response, "1 application that did not go ahead was erased.")

    def test_the_task_is_on_the_daily_beat_schedule(self):
        entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
        self.assertEqual(entry["task"], "privacy.tasks.retention_run")
