"""Who may open which claim and batch: one helper per object type, used by every view.

Strangers get 404 (nobody learns a claim exists); the second value says whether the user
may change it (the PIE team and finance), so read-only viewers (the claimant) see it only.
"""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from ascru_pie.roles import Role

from .models import Claim, PaymentBatch

STAFF = (Role.PIE_TEAM, Role.FINANCE)


def get_claim_for_user(request: HttpRequest, pk: int, *, related=()) -> tuple[Claim, bool]:
    """The claim and whether the user may act on it: staff any claim, an advisor their own."""
    claims = Claim.objects.select_related(*related)
    if request.user.has_role(*STAFF):
        return get_object_or_404(claims, pk=pk), True
    return get_object_or_404(claims, pk=pk, advisor__user=request.user), False


def get_batch_for_user(request: HttpRequest, pk: int) -> tuple[PaymentBatch, bool]:
    """A payment batch, for the PIE team and finance only (anyone else: 404)."""
    staff = request.user.has_role(*STAFF)
    batches = PaymentBatch.objects.select_related("created_by", "approved_by")
    return get_object_or_404(batches if staff else batches.none(), pk=pk), staff
