from django.http import Http404, HttpRequest

from .models import Advisor


def get_advisor_for_user(request: HttpRequest) -> Advisor:
    """The signed-in person's own advisor record; 404 if their account has none."""
    try:
        return Advisor.objects.get(user=request.user)
    except Advisor.DoesNotExist:
        raise Http404("There is no advisor record for this account.") from None
