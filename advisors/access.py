from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from ascru_pie.roles import Role

from .models import Advisor, Training


def get_advisor_for_user(request: HttpRequest) -> Advisor:
    """The signed-in person's own advisor record; 404 if their account has none."""
    try:
        return Advisor.objects.get(user=request.user)
    except Advisor.DoesNotExist:
        raise Http404("There is no advisor record for this account.") from None


def get_training_for_user(request: HttpRequest, pk: int) -> Training:
    """A training record: the PIE team sees any; an advisor only their own (else 404)."""
    training = get_object_or_404(Training.objects.select_related("advisor"), pk=pk)
    if request.user.has_role(Role.PIE_TEAM):
        return training
    if request.user.has_role(Role.ADVISOR) and training.advisor.user_id == request.user.pk:
        return training
    raise Http404("No such training record.")
