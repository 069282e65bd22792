"""Claims the access matrix points at: one of Alice's with a receipt, one of Bob's."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile

from payments.models import Claim, PaymentBatch


def _claim(advisor) -> Claim:
    claim = Claim(
        advisor=advisor,
        kind="expense",
        expense_type="travel",
        description="Bus fare",
        activity_date=datetime.date(2026, 5, 1),
        amount=Decimal("4.50"),
    )
    claim.receipt.save("receipt.pdf", ContentFile(b"%PDF-1.4 receipt"), save=False)
    claim.save()
    return claim


def alice_claim(tc) -> dict:
    if not hasattr(tc, "_alice_claim"):
        tc._alice_claim = _claim(tc.alice)
    return {"pk": tc._alice_claim.pk}


def bob_claim(tc) -> dict:
    if not hasattr(tc, "_bob_claim"):
        tc._bob_claim = _claim(tc.bob)
    return {"pk": tc._bob_claim.pk}


def a_batch(tc) -> dict:
    if not hasattr(tc, "_batch"):
        tc._batch = PaymentBatch.objects.create(reference="PIE-TEST-01", created_by=tc.staff_sam)
    return {"pk": tc._batch.pk}


def approved_batch(tc) -> dict:
    """A batch ready to export: built by Sam, approved by Fay, with Alice's claim in it."""
    if not hasattr(tc, "_approved_batch"):
        batch = PaymentBatch.objects.create(
            reference="PIE-TEST-02",
            created_by=tc.staff_sam,
            status=PaymentBatch.Status.APPROVED,
            approved_by=tc.finance_fay,
        )
        claim = Claim.objects.get(pk=alice_claim(tc)["pk"])
        Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.IN_BATCH, batch=batch)
        batch.total = claim.amount
        batch.save(update_fields=["total"])
        tc._approved_batch = batch
    return {"pk": tc._approved_batch.pk}
