"""How long a password must be: longer for staff, with advice in plain English for everyone.

Staff accounts (see `User.has_staff_role`) open other people's personal data and money, so
they need 12 characters. Public Advisors need 10, and are told how to make one they can
remember. Django calls `validate(password, user)` wherever a password is set (set password,
password change, reset, invitation); when it does not say who (user is None) or the account
is not saved yet, the advisor minimum applies.
"""

from django.core.exceptions import ValidationError

STAFF_MIN_LENGTH = 12
ADVISOR_MIN_LENGTH = 10

ADVICE = (
    "A few unrelated words is easy to remember and hard for anyone else to guess, "
    "for example four words that have nothing to do with each other or with you."
)


class RoleMinimumLengthValidator:
    """At least `staff_min_length` characters for staff roles, `min_length` for everyone."""

    def __init__(
        self, min_length: int = ADVISOR_MIN_LENGTH, staff_min_length: int = STAFF_MIN_LENGTH
    ) -> None:
        self.min_length = min_length
        self.staff_min_length = staff_min_length

    def required_length(self, user=None) -> int:
        is_staff = user is not None and getattr(user, "has_staff_role", False)
        return self.staff_min_length if is_staff else self.min_length

    def validate(self, password: str, user=None) -> None:
        length = self.required_length(user)
        if len(password) < length:
            raise ValidationError(
                "This password is too short. Use at least %(min_length)d characters. %(advice)s",
                code="password_too_short",
                params={"min_length": length, "advice": ADVICE},
            )

    def get_help_text(self) -> str:
        return (
            f"Use at least {self.min_length} characters "
            f"(staff accounts need {self.staff_min_length}). {ADVICE}"
        )
