"""Two factors for staff, on top of django-allauth's MFA app.

Staff (PIE team, finance, manager, equality access, superusers) see money and people's
personal data, so a password alone must not open the staff pages
(settings.MFA_REQUIRED_PATH_PREFIXES). This session must also hold a second factor, which
allauth records in the session as it happens: a code from an authenticator app or a recovery
code ("mfa"), or a sign-in through the university's provider, whose own MFA counts.

Staff with no authenticator yet are sent to set one up, with a word on why; the code they
enter to set it up counts for this session. Advisors may turn it on, and are never made to.
"""

import base64
import hashlib
import time

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.signals import authenticator_added
from allauth.mfa.stages import AuthenticateStage
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .accounts import UNIVERSITY_PROVIDER_ID, is_staff_member
from .models import User

DEFAULT_PREFIXES = ("/staff/", "/admin/", "/reports/", "/impacts/", "/privacy/")

SET_UP_MESSAGE = (
    "Staff accounts need two-step sign-in, because they show people's personal details and "
    "payments. Set it up once with an authenticator app on your phone (such as Microsoft "
    "Authenticator or Google Authenticator); after that you type a 6-digit code from the app "
    "when you sign in."
)
CONFIRM_MESSAGE = "Please confirm it is you with a code from your authenticator app."


def second_factor_required(user) -> bool:
    return is_staff_member(user)


def has_second_factor(request: HttpRequest, user: User | None = None) -> bool:
    """Did this session sign in with a second factor (an app code, or the university)?"""
    for record in get_authentication_records(request, user or request.user):
        if record.get("method") == "mfa":
            return True
        if (
            record.get("method") == "socialaccount"
            and record.get("provider") == UNIVERSITY_PROVIDER_ID
        ):
            return True
    return False


def session_record_second_factor(request: HttpRequest, *, user: User, kind: str) -> None:
    """Note in the session that `user` has just shown a second factor of this kind."""
    record_authentication(request, user, "mfa", type=kind)


def session_record_password(request: HttpRequest, *, user: User) -> None:
    """Note in the session that `user` has just signed in with a password outside allauth."""
    record_authentication(request, user, "password", username=user.get_username())


class SecondFactorMiddleware:
    """Staff pages need a second factor in this session; send staff without one to get it."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        prefixes = tuple(getattr(settings, "MFA_REQUIRED_PATH_PREFIXES", DEFAULT_PREFIXES))
        user = request.user
        if (
            request.path.startswith(prefixes)
            and user.is_authenticated
            and second_factor_required(user)
            and not has_second_factor(request)
        ):
            return _ask_for_second_factor(request)
        return self.get_response(request)


def _ask_for_second_factor(request: HttpRequest) -> HttpResponse:
    if is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
        messages.info(request, CONFIRM_MESSAGE)
        target = reverse("mfa_reauthenticate")
    else:
        messages.info(request, SET_UP_MESSAGE)
        target = reverse("mfa_activate_totp")
    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


@receiver(authenticator_added, dispatch_uid="ascru_pie.mfa.authenticator_added")
def _code_at_set_up_counts(sender, request, user, authenticator, **kwargs) -> None:
    # Setting up TOTP means typing a valid code from the app: that is the second factor, and
    # as fresh a proof as allauth's "confirm it is you" (so the recovery codes show next).
    if authenticator.type == Authenticator.Type.TOTP and request is not None:
        record_authentication(request, user, "mfa", type="totp", reauthenticated=True)


class AuthenticateUnlessUniversityStage(AuthenticateStage):
    """allauth's "enter your code" step at sign-in, skipped after university sign-in: the
    university's MFA was the second factor."""

    def _should_handle(self, request: HttpRequest) -> bool:
        user = self.login.user
        return super()._should_handle(request) and not has_second_factor(request, user)


# --- Demo users (DEBUG only) ---------------------------------------------------------------

DEMO_TOTP_SEED = "ascru2-demo-totp"


def demo_totp_secret(username: str) -> str:
    """A fixed base32 secret per demo user, so the demo needs no phone (DEBUG only)."""
    digest = hashlib.sha256(f"{DEMO_TOTP_SEED}:{username}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def demo_totp_code(username: str) -> str:
    """The demo user's code right now (what their authenticator app would show)."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(demo_totp_secret(username), counter))


def demo_totp_give(*, user: User) -> str:
    """Give a demo user the fixed TOTP secret (and recovery codes); refuse without DEBUG."""
    if not settings.DEBUG:
        raise RuntimeError("Demo authenticators are only made with DJANGO_DEBUG=1.")
    secret = demo_totp_secret(user.username)
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    TOTP.activate(user, secret)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
        RecoveryCodes.activate(user)
    return secret
