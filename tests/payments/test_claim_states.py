"""The claim state table: every legal move works, every illegal one is refused; paid is frozen."""

import datetime
from decimal import Decimal
from itertools import product

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings

from ascru_pie.lib.dates import tax_year
from payments import services
from payments.models import Claim, ClaimEvent
from payments.services.claims import _transition
from tests.base import BaseTestCase
from tests.factories import make_claim, mark_paid

# The rule, written out here by hand (never read from the code it checks): which status may
# follow which. Paid and cancelled are final; in a batch goes back to approved only when
# finance could not pay it.
ALLOWED = {
    ("submitted", "approved"),
    ("submitted", "rejected"),
    ("submitted", "cancelled"),
    ("approved", "in_batch"),
    ("approved", "cancelled"),
    ("approved", "submitted"),
    ("rejected", "submitted"),
    ("in_batch", "paid"),
    ("in_batch", "approved"),
}
STATUSES = ["submitted", "approved", "rejected", "in_batch", "paid", "cancelled"]


class ClaimStateTableTest(BaseTestCase):
    def test_the_model_allows_exactly_the_moves_in_the_table(self) -> None:
        self.assertEqual(sorted(Claim.Status.values), sorted(STATUSES))
        for start, target in product(STATUSES, STATUSES):
            with self.subTest(start=start, target=target):
                claim = Claim(status=start)
                self.assertEqual(claim.can_become(target), (start, target) in ALLOWED)

    def test_every_transition_is_made_or_refused_as_the_table_says(self) -> None:
        statuses = [s for s in STATUSES if s not in ("in_batch", "paid")]
        for start, target in product(statuses, STATUSES):
            if target in ("in_batch", "paid"):
                continue  # only batch services reach these; tested below
            with self.subTest(start=start, target=target):
                claim = make_claim(self.alice, status=start)
                allowed = (start, target) in ALLOWED
                with transaction.atomic():
                    locked = Claim.objects.select_for_update().get(pk=claim.pk)
                    if allowed:
                        _transition(locked, target, by=self.staff_sam)
                    else:
                        with self.assertRaises(ValidationError):
                            _transition(locked, target, by=self.staff_sam)
                claim.refresh_from_db()
                self.assertEqual(claim.status, target if allowed else start)

    def test_paid_claims_cannot_move_and_cannot_be_edited_by_services(self) -> None:
        claim = make_claim(self.alice)
        mark_paid(claim)
        claim.refresh_from_db()
        for action in (
            lambda: services.claim_approve(claim=claim, by=self.staff_sam),
            lambda: services.claim_reject(claim=claim, by=self.staff_sam, reason="x"),
            lambda: services.claim_cancel(claim=claim, by=self.staff_sam),
        ):
            try:
                action()
            except ValidationError:
                pass
        claim.refresh_from_db()
        self.assertEqual((claim.status, claim.amount), ("paid", Decimal("40.00")))

    def test_the_database_refuses_a_paid_claim_without_a_batch_or_date(self) -> None:
        claim = make_claim(self.alice)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Claim.objects.filter(pk=claim.pk).update(status="paid")

    def test_a_paid_claim_is_corrected_by_one_reversing_claim(self) -> None:
        claim = make_claim(self.alice)
        mark_paid(claim)
        reversal = services.claim_reverse(claim=claim, by=self.staff_sam, reason="Wrong fare")
        again = services.claim_reverse(claim=claim, by=self.staff_sam, reason="Wrong fare")
        self.assertEqual(reversal, again)
        self.assertEqual(
            (reversal.amount, reversal.reverses, reversal.status),
            (Decimal("-40.00"), claim, "submitted"),
        )
        claim.refresh_from_db()
        self.assertEqual(claim.amount, Decimal("40.00"))

    def test_approve_and_reject_are_audited_and_idempotent(self) -> None:
        claim = make_claim(self.alice)
        services.claim_approve(claim=claim, by=self.staff_sam)
        services.claim_approve(claim=claim, by=self.staff_sam)
        events = list(
            ClaimEvent.objects.filter(claim=claim).values_list(
                "from_status", "to_status", "by__username"
            )
        )
        self.assertEqual(events, [("submitted", "approved", "sam")])
        other = make_claim(self.bob)
        with self.assertRaisesMessage(ValidationError, "Give a reason"):
            services.claim_reject(claim=other, by=self.staff_sam, reason=" ")
        services.claim_reject(claim=other, by=self.staff_sam, reason="No receipt")
        other.refresh_from_db()
        self.assertEqual((other.status, other.rejection_reason), ("rejected", "No receipt"))

    def test_only_pie_team_or_finance_approve(self) -> None:
        claim = make_claim(self.alice)
        for user in (self.advisor_alice, self.researcher_rita, self.manager_mo):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                services.claim_approve(claim=claim, by=user)
        services.claim_approve(claim=claim, by=self.finance_fay)


class TaxYearAndLimitTest(BaseTestCase):
    def test_tax_year_runs_6_april_to_5_april(self) -> None:
        self.assertEqual(
            tax_year(datetime.date(2026, 4, 5)),
            (datetime.date(2025, 4, 6), datetime.date(2026, 4, 5)),
        )
        self.assertEqual(
            tax_year(datetime.date(2026, 4, 6)),
            (datetime.date(2026, 4, 6), datetime.date(2027, 4, 5)),
        )

    # make_claim's claims are expenses: here they count towards the limit too.
    @override_settings(ANNUAL_LIMIT_COUNTS="all")
    def test_annual_limit_warns_before_going_over(self) -> None:
        self.alice.annual_limit = Decimal("100.00")
        self.alice.save()
        make_claim(self.alice, amount="60.00")
        make_claim(self.alice, status="rejected", amount="500.00")  # rejected claims do not count
        on = datetime.date(2026, 5, 1)
        self.assertEqual(
            services.annual_limit_warning(advisor=self.alice, on=on, amount=Decimal("40.00")), ""
        )
        warning = services.annual_limit_warning(advisor=self.alice, on=on, amount=Decimal("40.01"))
        self.assertIn("to £100.01, over their limit of £100.00", warning)
        # A claim in the next tax year starts from nothing.
        self.assertEqual(
            services.annual_limit_warning(
                advisor=self.alice, on=datetime.date(2027, 4, 6), amount=Decimal("90")
            ),
            "",
        )
