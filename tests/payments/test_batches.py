"""Payment batches: built from approved claims, approved by someone else, paid once."""

import threading
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TransactionTestCase, skipUnlessDBFeature
from django.utils import timezone

from payments import services
from payments.models import Claim, PaymentBatch
from tests.base import BaseTestCase, ensure_roles, make_user
from tests.factories import AdvisorFactory, make_claim

TODAY = timezone.localdate()


class BatchTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.claims = [
            make_claim(a, status="approved", amount=amt)
            for a, amt in [(self.alice, "40.00"), (self.bob, "12.35"), (self.alice, "7.65")]
        ]
        make_claim(self.bob, status="submitted")  # not approved: stays out

    def test_build_takes_every_approved_claim_once_and_totals_them(self) -> None:
        batch = services.batch_build(by=self.staff_sam)
        self.assertEqual(batch.total, Decimal("60.00"))
        self.assertEqual(set(batch.claims.all()), set(self.claims))
        self.assertTrue(all(c.status == "in_batch" for c in batch.claims.all()))
        with self.assertRaisesMessage(ValidationError, "no approved claims waiting"):
            services.batch_build(by=self.staff_sam)

    def test_builder_cannot_approve_their_own_batch(self) -> None:
        batch = services.batch_build(by=self.staff_sam)
        with self.assertRaisesMessage(ValidationError, "someone else must approve"):
            services.batch_approve(batch=batch, by=self.staff_sam)
        services.batch_approve(batch=batch, by=self.finance_fay)
        batch.refresh_from_db()
        self.assertEqual((batch.status, batch.approved_by), ("approved", self.finance_fay))

    def test_paid_as_a_whole_or_claim_by_claim_and_never_twice(self) -> None:
        batch = services.batch_build(by=self.staff_sam)
        with self.assertRaisesMessage(ValidationError, "not been approved"):
            services.batch_mark_paid(batch=batch, paid_on=TODAY, by=self.finance_fay)
        services.batch_approve(batch=batch, by=self.finance_fay)
        self.assertEqual(
            services.batch_mark_paid(
                batch=batch, paid_on=TODAY, by=self.finance_fay, claim_ids=[self.claims[0].pk]
            ),
            1,
        )
        batch.refresh_from_db()
        self.assertEqual(batch.status, "approved")
        self.assertEqual(
            services.batch_mark_paid(batch=batch, paid_on=TODAY, by=self.finance_fay), 2
        )
        self.assertEqual(
            services.batch_mark_paid(batch=batch, paid_on=TODAY, by=self.finance_fay), 0
        )
        batch.refresh_from_db()
        self.assertEqual((batch.status, batch.paid_on), ("paid", TODAY))
        self.assertEqual(Claim.objects.filter(status="paid").count(), 3)

    def test_finance_paid_file_applied_twice_changes_nothing_the_second_time(self) -> None:
        batch = services.batch_build(by=self.staff_sam)
        services.batch_approve(batch=batch, by=self.finance_fay)
        rows = [(c.pk, TODAY) for c in self.claims]
        self.assertEqual(services.finance_paid_apply(rows=rows, by=self.finance_fay), 3)
        events = self.claims[0].events.count()
        self.assertEqual(services.finance_paid_apply(rows=rows, by=self.finance_fay), 0)
        self.assertEqual(self.claims[0].events.count(), events)
        batch.refresh_from_db()
        self.assertEqual(batch.status, "paid")

    def test_a_bad_finance_row_imports_nothing(self) -> None:
        batch = services.batch_build(by=self.staff_sam)
        services.batch_approve(batch=batch, by=self.finance_fay)
        submitted = Claim.objects.get(status="submitted")
        rows = [(self.claims[0].pk, TODAY), (submitted.pk, TODAY), (999999, TODAY)]
        with self.assertRaisesMessage(ValidationError, "Nothing was imported: claim"):
            services.finance_paid_apply(rows=rows, by=self.finance_fay)
        self.assertFalse(Claim.objects.filter(status="paid").exists())


@skipUnlessDBFeature("has_select_for_update_skip_locked")
class ConcurrentBatchTest(TransactionTestCase):
    """Two people build batches at the same moment (PostgreSQL: real row locks)."""

    def test_parallel_builds_put_each_claim_in_exactly_one_batch(self) -> None:
        ensure_roles()
        sam = make_user("sam", "pie_team", is_staff=True)
        fay = make_user("fay", "finance", is_staff=True)
        advisors = [AdvisorFactory() for _ in range(4)]
        claims = [make_claim(a, status="approved") for a in advisors for _ in range(5)]
        barrier = threading.Barrier(2)
        built, errors = [], []

        def build(user) -> None:
            try:
                barrier.wait(timeout=10)
                built.append(services.batch_build(by=user))
            except ValidationError:
                pass  # the other one took them all: fine
            except Exception as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=build, args=(u,)) for u in (sam, fay)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        self.assertEqual(errors, [])
        self.assertEqual(
            Claim.objects.filter(pk__in=[c.pk for c in claims], batch__isnull=True).count(), 0
        )
        total = sum((b.total for b in PaymentBatch.objects.all()), Decimal("0"))
        self.assertEqual(total, Decimal("40.00") * len(claims))
        self.assertEqual(sum(b.claims.count() for b in PaymentBatch.objects.all()), len(claims))
