from django.conf import settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .lib.emails import make_message
from .models import User
from .tokens import invitation_token


def user_invitation_url(*, user: User) -> str:
    """An absolute, signed, single-use link with which `user` sets their password."""
    path = reverse(
        "invitation-accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_token.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"


def user_invite(*, user: User, invited_by: User | None = None) -> str:
    """Email `user` a link to set their password. Sends one email; returns the link."""
    if not user.email:
        raise ValueError(f"{user} has no email address to send an invitation to.")
    if user.has_usable_password():
        # An invitation is for someone who has not set a password yet; anyone else
        # uses "Forgotten your password?".
        raise ValueError(f"{user} already has a password; they can reset it from the login page.")
    url = user_invitation_url(user=user)
    make_message(
        "invitation",
        user.email,
        {
            "user": user,
            "url": url,
            "invited_by": invited_by,
            "days": settings.INVITATION_TIMEOUT_DAYS,
        },
    ).send()
    return url
