"""A change of someone's sign-in email by a member of staff: confirmed before it counts.

One person alone must not be able to take over an account by pointing its email (and so its
password resets) somewhere else. When staff change another person's sign-in email, the
account keeps its old address until the change is confirmed either at the new address, by
django-allauth's own confirmation link, or by a second member of staff. The old address is
always told, when the change is asked for.
"""

from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from .lib.emails import make_message
from .models import LoginEmailChange, User


def login_email_change_pending(*, user: User) -> LoginEmailChange | None:
    """The change still waiting for confirmation, if any (confirming at the new address
    makes it the account's email, which ends the wait)."""
    change = user.login_email_changes.filter(confirmed_at__isnull=True).first()
    if change is None or change.new_email.lower() == (user.email or "").lower():
        return None
    return change


def login_email_change_request(
    *, request: HttpRequest, user: User, new_email: str, by: User
) -> LoginEmailChange:
    """Ask for `user`'s sign-in email to become `new_email`; nothing changes yet.

    Sends allauth's confirmation link to the new address and tells the old address. Replaces
    any earlier change still waiting.
    """
    new_email = new_email.strip().lower()
    with transaction.atomic():
        user.login_email_changes.filter(confirmed_at__isnull=True).delete()
        EmailAddress.objects.filter(user=user, verified=False).exclude(email=new_email).delete()
        change = LoginEmailChange.objects.create(
            user=user, old_email=user.email, new_email=new_email, requested_by=by
        )
        # allauth's confirmation link goes to the new address (sent now: allauth reads the
        # request it is handling).
        address = EmailAddress.objects.filter(user=user, email__iexact=new_email).first()
        if address is None:
            EmailAddress.objects.add_email(request, user, new_email, confirm=True)
        else:
            address.send_confirmation(request)
        if user.email:
            message = make_message(
                "login-email-change-requested",
                user.email,
                {"user": user, "change": change, "by": by},
            )
            transaction.on_commit(message.send)
    return change


def login_email_change_confirm(
    *, request: HttpRequest, change: LoginEmailChange, by: User
) -> LoginEmailChange:
    """A second member of staff confirms the change (whoever asked for it cannot)."""
    if change.requested_by_id == by.pk:
        raise ValidationError(
            "You asked for this change, so someone else must confirm it: the person at the "
            "new address, or a colleague who has checked it with them."
        )
    with transaction.atomic():
        change = LoginEmailChange.objects.select_for_update().get(pk=change.pk)
        if change.confirmed_at is not None:
            return change
        user = change.user
        address, _ = EmailAddress.objects.get_or_create(
            user=user, email=change.new_email, defaults={"verified": False}
        )
        # allauth's own confirmation, as if the link had been opened.
        EmailConfirmationHMAC(address).confirm(request)
        address.refresh_from_db()
        address.set_as_primary()
        # The old address no longer signs in.
        EmailAddress.objects.filter(user=user).exclude(pk=address.pk).delete()
        change.confirmed_by = by
        change.confirmed_at = timezone.now()
        change.save(update_fields=["confirmed_by", "confirmed_at"])
    return change
