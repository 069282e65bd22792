"""How django-allauth signs people in here: our adapters, and password reset off the request.

- No one signs up: accounts are made by the PIE team or by accepting an application.
- Failed sign-ins are counted per login name *and* address, so that someone guessing from
  elsewhere cannot lock the real person out (settings: LOGIN_FAILURES_ALLOWED).
- University sign-in (OpenID Connect) is for existing staff accounts only, matched by a
  verified email address; nobody gets an account by it.
- A password reset request only queues a task with the address typed in: looking the
  address up and sending happen in the worker, so the reply is the same, and takes the same
  time, whether or not an account has that address.
"""

import logging
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.account.forms import default_token_generator
from allauth.account.internal.stagekit import clear_login
from allauth.account.utils import filter_users_by_email, user_pk_to_url_str
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse

from .lib.emails import make_message
from .lib.net import client_ip
from .models import User
from .services import user_invite

logger = logging.getLogger(__name__)

# The provider_id of the one OpenID Connect app (settings.SOCIALACCOUNT_PROVIDERS).
UNIVERSITY_PROVIDER_ID = "university"


# Roles whose work needs two factors: they see money, personal data or everyone's reports.
def is_staff_member(user) -> bool:
    """Staff for sign-in purposes (`User.has_staff_role`); anonymous visitors are not."""
    return user.is_authenticated and user.has_staff_role


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": (
            "Too many attempts to sign in with this name from here. For your safety, please "
            "wait 15 minutes and try again, or reset your password."
        ),
        "username_password_mismatch": "The username or password is not right.",
        "email_password_mismatch": "The email address or password is not right.",
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def pre_login(self, request: HttpRequest, user, **kwargs):
        # An advisor who has left cannot sign in, even if their login was never switched off
        # (advisors.services.advisor_login_follow_status does that when the status changes).
        # The same page as a switched-off account: "You can no longer sign in", and how to
        # reach us. Staff accounts are left alone, as there. `advisor` is the reverse
        # relation of advisors.Advisor.user (a higher layer: not imported here).
        if _advisor_has_left(user) and not user.has_staff_role:
            clear_login(request)
            return self.respond_user_inactive(request, user)
        return super().pre_login(request, user, **kwargs)

    def get_client_ip(self, request: HttpRequest) -> str:
        # Proxy headers count only from our own proxies (settings.TRUSTED_PROXIES).
        return client_ip(request) or "unknown"

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials) -> str:
        # allauth keys failures on the login name alone; adding the address means a guesser
        # elsewhere only ever locks out their own address.
        login = credentials.get("email", credentials.get("username", "")).lower()
        return f"{login}:{self.get_client_ip(request)}"

    def get_login_stages(self) -> list[str]:
        # After university sign-in, allauth's "enter your code" step is skipped (ascru_pie.mfa).
        return [
            "ascru_pie.mfa.AuthenticateUnlessUniversityStage"
            if stage == "allauth.mfa.stages.AuthenticateStage"
            else stage
            for stage in super().get_login_stages()
        ]

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # Someone who signed in minutes ago and has no authenticator yet is not asked for
        # their password again to set up their first one (that is where we send staff).
        request = context.request
        if (
            app == "allauth.mfa"
            and request is not None
            and request.path == reverse("mfa_activate_totp")
            and not Authenticator.objects.filter(user_id=request.user.pk).exists()
            and _signed_in_recently(request)
        ):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def get_password_change_redirect_url(self, request: HttpRequest) -> str:
        return reverse("home")


def _advisor_has_left(user) -> bool:
    advisor = getattr(user, "advisor", None)
    return advisor is not None and not advisor.can_take_part


def _signed_in_recently(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)
    timeout = account_settings.REAUTHENTICATION_TIMEOUT
    return bool(records) and time.time() - records[-1]["at"] < timeout


class UniversitySignInAdapter(DefaultSocialAccountAdapter):
    """Only people who already have a staff account may sign in with the university."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        user = sociallogin.user if sociallogin.is_existing else _staff_by_email(sociallogin)
        # Roles are read on a copy: allauth stores `user` in the session as it is.
        fresh = User.objects.filter(pk=getattr(user, "pk", None), is_active=True).first()
        if fresh is None or not is_staff_member(fresh):
            raise ImmediateHttpResponse(render(request, "socialaccount/refused.html", status=403))
        if not sociallogin.is_existing:
            sociallogin.connect(request, user)


def _staff_by_email(sociallogin: SocialLogin) -> User | None:
    trusted = getattr(settings, "OIDC_EMAILS_ARE_VERIFIED", False)
    emails = [a.email for a in sociallogin.email_addresses if a.verified or trusted]
    matches = [u for e in emails for u in User.objects.filter(email__iexact=e, is_active=True)]
    # One address shared by two accounts cannot say which of them is signing in.
    return matches[0] if len(matches) == 1 else None


def password_reset_request(*, email: str) -> None:
    """Queue the reset email for after the request: nothing here depends on the address."""

    def send() -> None:
        try:
            password_reset_send_task.delay(email)
        except Exception:
            # The person is told to check their email either way; they can ask again.
            logger.warning("The broker did not take a password reset email", exc_info=True)

    transaction.on_commit(send)


def password_reset_send(*, email: str) -> int:
    """Email a reset link to each active account with this address; return how many.

    An account with no password yet gets the invitation to set one instead (same reply on
    the page: the request never looks the address up)."""
    users = [
        user
        for user in filter_users_by_email(email, is_active=True, prefer_verified=True)
        # Never to an address that is not yet confirmed (a sign-in email change staff asked
        # for waits for confirmation: a reset link there would skip it).
        if user.email.lower() == email.lower()
        or user.emailaddress_set.filter(email__iexact=email, verified=True).exists()
    ]
    for user in users:
        if not user.has_usable_password():
            # Invited but no password set yet (or the link expired): a reset link would do,
            # but the invitation says what it is for, so send that again instead.
            user_invite(user=user)
            continue
        path = reverse(
            "account_reset_password_from_key",
            kwargs={
                "uidb36": user_pk_to_url_str(user),
                "key": default_token_generator.make_token(user),
            },
        )
        context = {
            "user": user,
            "reset_url": f"{settings.SITE_URL}{path}",
            "days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
        }
        make_message("password_reset", email, context).send()
    return len(users)


@shared_task(name="ascru_pie.accounts.password_reset_send", bind=True, max_retries=3)
def password_reset_send_task(self, email: str) -> int:
    """Send the reset emails (registered with the worker by ascru_pie.tasks)."""
    try:
        return password_reset_send(email=email)
    except OSError as exc:  # the mail server is down: try again in a minute
        raise self.retry(exc=exc, countdown=60) from exc
