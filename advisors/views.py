from pathlib import PurePosixPath

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ascru_pie.access import role_required
from ascru_pie.email_change import login_email_change_pending
from ascru_pie.lib.net import client_ip
from ascru_pie.roles import Role

from . import services
from .access import get_advisor_for_user, get_training_for_user
from .forms import ApplicationForm, EqualityForm, ProfileForm


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """The open application form (no account needed)."""
    form = ApplicationForm(request.POST or None)
    equality = EqualityForm(request.POST or None, prefix="eq")
    status = 200
    if request.method == "POST":
        if form.is_bot:
            # Say nothing to the bot that it could learn from; save nothing.
            return redirect("advisors:apply-thanks")
        if form.is_valid() and equality.is_valid():
            try:
                services.application_submit(
                    details=form.details(),
                    lived_experience=form.cleaned_data["lived_experience"],
                    topics=form.cleaned_data["topics"],
                    equality=equality.answers(),
                    ip=client_ip(request),
                )
            except services.ApplicationLimitReached:
                form.add_error(
                    None,
                    "We have received several applications from your connection in the last hour. "
                    "Please wait an hour and try again, or contact us and we will help.",
                )
                status = 429
            else:
                return redirect("advisors:apply-thanks")
        else:
            status = 400
    return render(
        request,
        "advisors/apply.html",
        {"form": form, "equality": equality, "notice_version": settings.PRIVACY_NOTICE_VERSION},
        status=status,
    )


def apply_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "advisors/apply_thanks.html")


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(
        request, "advisors/privacy_notice.html", {"notice_version": settings.PRIVACY_NOTICE_VERSION}
    )


@role_required(Role.ADVISOR)
def profile(request: HttpRequest) -> HttpResponse:
    """An advisor's own details, preferences and support needs, and their records."""
    advisor = get_advisor_for_user(request)
    form = ProfileForm(request.POST or None, instance=advisor)
    if request.method == "POST":
        if form.is_valid():
            change = services.advisor_profile_update(
                advisor=form.save(commit=False), topics=form.cleaned_data["topics"], request=request
            )
            saved = "Your details have been saved."
            if change is not None and "email" in form.changed_data:
                saved += (
                    f" We have sent an email to {change.new_email}. Open the link in it to "
                    f"start signing in with that address. Until then, keep signing in with "
                    f"{request.user.email}."
                )
            messages.success(request, saved)
            return redirect("advisors:profile")
        messages.error(
            request, "Your details have not been saved. Please check the messages below."
        )
    return render(
        request,
        "advisors/profile.html",
        {
            "advisor": advisor,
            "form": form,
            "login_email": request.user.email,
            "email_change": login_email_change_pending(user=request.user),
            "training": advisor.training.all(),
            "recognitions": advisor.recognitions.all(),
            "credits": advisor.output_credits.select_related("output__project"),
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.ADVISOR, Role.PIE_TEAM)
def training_certificate(request: HttpRequest, pk: int) -> FileResponse:
    """A training certificate (private storage): the advisor's own, or any for the PIE team."""
    training = get_training_for_user(request, pk)
    if not training.certificate:
        raise Http404("No certificate file for this training.")
    try:
        handle = training.certificate.open("rb")
    except FileNotFoundError:
        raise Http404("The certificate file is missing.") from None
    return FileResponse(
        handle, as_attachment=True, filename=PurePosixPath(training.certificate.name).name
    )


@role_required(Role.PIE_TEAM, Role.MANAGER)
def equality_summary(request: HttpRequest) -> HttpResponse:
    """Equality answers in aggregate only, small counts suppressed."""
    return render(
        request,
        "advisors/equality_summary.html",
        {"summary": services.equality_summary(), "threshold": settings.EQUALITY_SUPPRESS_BELOW},
    )
