"""Staff sessions end after a short idle time; everyone's last activity is kept in the session.

Staff (see `User.has_staff_role`) see other people's personal data and money, often on shared
office computers, so a session left open ends after `STAFF_SESSION_IDLE_MINUTES` without a
request. Public Advisors are not cut off mid-task: theirs last `SESSION_COOKIE_AGE` from their
last visit, like everyone's.
"""

import datetime
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

LAST_ACTIVITY_KEY = "ascru_last_activity"
# Write the time of the last request at most this often: a session save on every request
# would cost a query each time, and a minute is fine-grained enough for a 30-minute limit.
WRITE_EVERY_SECONDS = 60


def staff_idle_limit() -> datetime.timedelta:
    return datetime.timedelta(minutes=getattr(settings, "STAFF_SESSION_IDLE_MINUTES", 30))


def idle_message(minutes: int) -> str:
    return (
        f"You were signed out because the site was not used for {minutes} minutes. "
        "This keeps people's personal details safe if a computer is left on. "
        "Please sign in again."
    )


def session_mark_login(sender, request: HttpRequest, user, **kwargs) -> None:
    """At sign-in, start the idle clock (connected to `user_logged_in` in apps.py), so the
    first page after signing in does not need a second session write."""
    if hasattr(request, "session"):
        request.session[LAST_ACTIVITY_KEY] = int(time.time())


class StaffIdleTimeoutMiddleware:
    """Sign staff out after `STAFF_SESSION_IDLE_MINUTES` without a request.

    Goes after AuthenticationMiddleware (it needs `request.user`) and MessageMiddleware (it
    leaves a message for the login page). The role is looked up only when the idle limit has
    passed, so ordinary requests cost no query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            limit = staff_idle_limit()
            if last is not None and now - last > limit.total_seconds() and user.has_staff_role:
                return self._sign_out(request, minutes=int(limit.total_seconds() // 60))
            if last is None or now - last >= WRITE_EVERY_SECONDS:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)

    def _sign_out(self, request: HttpRequest, *, minutes: int) -> HttpResponse:
        logout(request)
        messages.info(request, idle_message(minutes))
        if request.method == "GET":
            login_url = resolve_url(settings.LOGIN_URL)
            response = redirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")
        else:
            # What was being sent is lost either way; come back to the home page after.
            response = redirect(settings.LOGIN_URL)
        if getattr(request, "htmx", False):
            # An htmx request would swap the login page into part of the page: load it whole.
            return HttpResponseClientRedirect(response.url)
        return response
