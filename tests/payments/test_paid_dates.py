"""Paid dates are plausible: never after today, never before the batch was approved for
payment, whether marked on the batch page or read from finance's paid file. Days to pay that
come out negative (old, mistyped data) never count as on target.

Time is frozen at 1 December 2026; the batch is approved on 20 November 2026.
"""

import datetime
import io
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from payments import services
from payments.models import Claim, PaymentBatch
from tests.base import BaseTestCase
from tests.factories import make_claim, mark_paid

LONDON = ZoneInfo("Europe/London")
APPROVED = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=LONDON)
NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=LONDON)


def claim_on(advisor, day: datetime.date, status: str = "submitted") -> Claim:
    claim = make_claim(advisor, status=status)
    Claim.objects.filter(pk=claim.pk).update(activity_date=day)
    claim.refresh_from_db()
    return claim


def paid_file(rows: list[tuple]) -> SimpleUploadedFile:
    out = io.StringIO("claim,paid_on\n")
    out.seek(0, io.SEEK_END)
    for claim_id, paid_on in rows:
        out.write(f"{claim_id},{paid_on}\n")
    return SimpleUploadedFile("paid.csv", out.getvalue().encode(), content_type="text/csv")


class PaidDateTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.claims = [
            claim_on(self.alice, datetime.date(2026, 11, 2), "approved"),
            claim_on(self.bob, datetime.date(2026, 11, 4), "approved"),
        ]
        with time_machine.travel(APPROVED, tick=False):
            batch = services.batch_build(by=self.staff_sam)
            self.batch = services.batch_approve(batch=batch, by=self.finance_fay)
        self.url = reverse("payments:batch", args=[self.batch.pk])
        self.client.force_login(self.finance_fay)

    def mark_paid(self, paid_on: str):
        return self.client.post(self.url, {"mark_paid": "1", "paid_on": paid_on})

    @time_machine.travel(NOW, tick=False)
    def test_a_paid_date_in_2020_for_november_2026_work_is_refused(self) -> None:
        response = self.mark_paid("2020-01-01")
        self.assertContains(
            response,
            f"The payment date cannot be before batch {self.batch.reference} was approved for "
            "payment, on 20 November 2026.",
            status_code=400,
        )
        self.assertFalse(Claim.objects.filter(status="paid").exists())
        self.batch.refresh_from_db()
        self.assertEqual((self.batch.status, self.batch.paid_on), ("approved", None))

    @time_machine.travel(NOW, tick=False)
    def test_the_day_before_approval_is_refused_and_the_day_of_approval_is_fine(self) -> None:
        self.assertEqual(self.mark_paid("2026-11-19").status_code, 400)
        # A good date first asks to confirm the whole batch, with its total.
        self.assertEqual(self.mark_paid("2026-11-20").status_code, 200)
        self.assertFalse(Claim.objects.filter(status="paid").exists())
        confirmed = self.client.post(
            self.url, {"mark_paid": "1", "paid_on": "2026-11-20", "confirm_paid": "1"}
        )
        self.assertEqual(confirmed.status_code, 302)
        self.assertEqual(
            set(Claim.objects.values_list("paid_on", flat=True)), {datetime.date(2026, 11, 20)}
        )

    @time_machine.travel(NOW, tick=False)
    def test_a_paid_date_after_today_is_refused(self) -> None:
        response = self.mark_paid("2026-12-02")
        self.assertContains(response, "The payment date cannot be in the future.", status_code=400)

    @time_machine.travel(NOW, tick=False)
    def test_finances_paid_file_cannot_date_a_payment_before_the_batch_was_approved(
        self,
    ) -> None:
        upload = paid_file([(self.claims[0].pk, "2020-01-01"), (self.claims[1].pk, "2026-11-30")])
        response = self.client.post(reverse("payments:paid-import"), {"file": upload})
        self.assertContains(
            response,
            f"Line 2: claim {self.claims[0].pk} is dated paid on 1 January 2020, before its batch "
            f"{self.batch.reference} was approved for payment on 20 November 2026.",
            status_code=400,
        )
        self.assertEqual(response.context["token"], "")
        # Nor can the file be applied some other way.
        rows = [(self.claims[0].pk, datetime.date(2020, 1, 1))]
        with self.assertRaisesMessage(ValidationError, "before its batch"):
            services.finance_paid_apply(rows=rows, by=self.finance_fay)
        self.assertFalse(Claim.objects.filter(status="paid").exists())

    @time_machine.travel(NOW, tick=False)
    def test_a_good_paid_file_still_applies(self) -> None:
        rows = [(c.pk, datetime.date(2026, 11, 30)) for c in self.claims]
        self.assertEqual(services.finance_paid_apply(rows=rows, by=self.finance_fay), 2)
        self.assertEqual(PaymentBatch.objects.get().status, "paid")


@time_machine.travel(NOW, tick=False)
class NegativeDaysToPayTest(BaseTestCase):
    """Rows written before these checks: paid "before" the activity."""

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)
        on_time = claim_on(self.alice, datetime.date(2026, 11, 1))
        mark_paid(on_time, paid_on=datetime.date(2026, 11, 20))  # 19 days: on target
        self.wrong = claim_on(self.bob, datetime.date(2026, 11, 25))
        mark_paid(self.wrong, paid_on=datetime.date(2026, 11, 20))  # -5 days

    def test_a_payment_dated_before_its_activity_is_never_on_target(self) -> None:
        response = self.client.get(reverse("payments:budgets"))
        [month] = response.context["months"]
        self.assertEqual((month["count"], month["on_target"], month["share"]), (2, 1, 50))
        self.assertContains(response, "50% of 2 paid claims met it")

    def test_the_claim_page_says_the_paid_date_looks_wrong(self) -> None:
        response = self.client.get(reverse("payments:claim", args=[self.wrong.pk]))
        self.assertContains(response, "the paid date is before the activity: check it")
        self.assertNotContains(response, "-5 days")
