"""The advisor's consent page in the portal: see, give or withdraw consent to be contacted."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ascru_pie.access import role_required
from ascru_pie.roles import Role

from .access import get_advisor_for_user
from .consent import consent_current, consent_record
from .forms_consent import ContactConsentForm
from .models import Consent


@role_required(Role.ADVISOR)
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest) -> HttpResponse:
    """Whether we may contact the advisor; each answer is kept as a new consent record."""
    advisor = get_advisor_for_user(request)
    current = consent_current(advisor=advisor, purpose=Consent.Purpose.CONTACT)
    given = current is None or current.given
    form = ContactConsentForm(
        request.POST if request.method == "POST" else None,
        initial={"contact": "yes" if given else "no"},
    )
    if request.method == "POST" and form.is_valid():
        consent_record(
            advisor=advisor,
            purpose=Consent.Purpose.CONTACT,
            given=form.cleaned_data["contact"],
            method=Consent.Method.PORTAL,
            recorded_by=request.user,
        )
        messages.success(
            request,
            "Thank you. We may contact you about taking part."
            if form.cleaned_data["contact"]
            else "Thank you. We will stop contacting you about taking part.",
        )
        return redirect("advisors:consent")
    return render(
        request,
        "advisors/consent.html",
        {
            "advisor": advisor,
            "form": form,
            "current": current,
            "given": given,
            "notice": consent_current(advisor=advisor, purpose=Consent.Purpose.PRIVACY_NOTICE),
            "notice_version": settings.PRIVACY_NOTICE_VERSION,
        },
        status=400 if form.errors else 200,
    )
