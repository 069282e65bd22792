"""Signed, expiring, single-use invitation links for new advisors and staff.

Built on Django's password-reset token: its hash covers the password and last login,
so the link stops working as soon as it has been used to set a password. It has its
own salt (a reset token is not an invitation) and its own lifetime.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "ascru_pie.tokens.InvitationTokenGenerator"

    @property
    def timeout_seconds(self) -> int:
        return settings.INVITATION_TIMEOUT_DAYS * 24 * 60 * 60

    def check_token(self, user, token) -> bool:
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        signed_by_us = any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )
        return signed_by_us and (self._num_seconds(self._now()) - ts) <= self.timeout_seconds


invitation_token = InvitationTokenGenerator()
