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


# What each role sees of an advisor's record in the admin and in the register export: the
# one table that the admin (advisors.admin_fields) and the export (advisors.resources) read.
# None means the whole record (individual equality answers still need `edi_access`).
# Finance sees only what paying someone needs: who they are, where to reach them about a
# payment, how they want to be paid and their own limit, their bank details (masked: the full
# numbers are only in finance's payment file), and whether they are still on the register.
# Never support needs, staff notes, lived experience, topics, equality answers or applications.
ADVISOR_FIELDS_BY_ROLE: dict[str, frozenset[str] | None] = {
    Role.PIE_TEAM: None,
    Role.FINANCE: frozenset(
        {
            "first_name",
            "last_name",
            "email",
            "phone",
            "address",
            "postcode",
            "contact_method",
            "payment_preference",
            "annual_limit",
            "bank_details",
            "status",
        }
    ),
}


def advisor_fields_for(user) -> frozenset[str] | None:
    """The advisor fields `user` may see (None: all). Several roles see the union; a superuser
    sees everything; a staff account with none of these roles sees nothing."""
    if user.is_superuser:
        return None
    granted = [fields for role, fields in ADVISOR_FIELDS_BY_ROLE.items() if user.has_role(role)]
    if any(fields is None for fields in granted):
        return None
    return frozenset().union(*granted)
