from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.cache import never_cache

from .celery import app
from .contact import unit_contact
from .forms import InvitationPasswordForm
from .mfa import session_record_password
from .tokens import invitation_token


def home(request: HttpRequest) -> HttpResponse:
    """Send each person to their role's home; anonymous visitors to the login page."""
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect(request.user.home_url)


@login_required
def no_role(request: HttpRequest) -> HttpResponse:
    return render(request, "ascru_pie/no_role.html", status=403)


@never_cache
def invitation_accept(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Set a first password from a one-time invitation link, then sign in."""
    User = get_user_model()
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)), is_active=True)
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not invitation_token.check_token(user, token):
        return render(request, "registration/invitation_invalid.html", status=400)
    form = InvitationPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        # Staff go on to set up two-step sign-in; the password they just chose counts as
        # having signed in with it, so allauth does not ask for it again first.
        session_record_password(request, user=user)
        messages.success(request, "Your password is set and you are signed in. Welcome!")
        return redirect(user.home_url)
    return render(
        request, "registration/invitation_accept.html", {"form": form, "invited_user": user}
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 when it does not; the broker state is reported."""
    body: dict = {"database": {"vendor": connection.vendor}}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        body["database"]["status"] = "ok"
    except Exception as exc:  # any failure means "not healthy"; say which
        body["database"]["status"] = "error"
        body["database"]["error"] = exc.__class__.__name__
        status = 503
    body["broker"] = _broker_state()
    return JsonResponse(body, status=status)


# Seconds /healthz waits for the broker before saying it is down.
BROKER_CHECK_TIMEOUT = 0.25


def _broker_state() -> dict:
    if not settings.CELERY_BROKER_URL:
        return {"status": "eager", "detail": "no broker configured; tasks run in-process"}
    try:
        # One try with short timeouts and no retry sleeps: a health check must answer at once
        # when the broker is down (Redis is local; a healthy one answers in milliseconds).
        with app.connection_for_write(
            connect_timeout=BROKER_CHECK_TIMEOUT,
            transport_options={
                "socket_connect_timeout": BROKER_CHECK_TIMEOUT,
                "socket_timeout": BROKER_CHECK_TIMEOUT,
            },
        ) as conn:
            conn.ensure_connection(max_retries=0)
        return {"status": "ok"}
    except Exception as exc:
        return {"status": "error", "error": exc.__class__.__name__}


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, with the unit's contact details but nothing that could fail again (no
    request context: no database, no user)."""
    html = loader.get_template("500.html").render({"contact": unit_contact()})
    return HttpResponseServerError(html)
