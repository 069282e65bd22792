"""Sign-in forms: allauth's, with plain-English labels and no autofocus."""

from allauth.account import forms as allauth_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms
from django.contrib.auth.forms import SetPasswordForm

from .accounts import password_reset_request


class NoAutofocusMixin:
    """Django autofocuses the first field; that skips the skip link, heading and intro
    for keyboard and screen-reader users, so we take it off."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)
            # A placeholder is not a label and disappears as you type.
            field.widget.attrs.pop("placeholder", None)


class LoginForm(NoAutofocusMixin, allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Username or email address"
        self.fields["login"].widget.attrs["autocomplete"] = "username"


class ChangePasswordForm(NoAutofocusMixin, allauth_forms.ChangePasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["oldpassword"].label = "Your current password"
        self.fields["password1"].label = "New password"
        self.fields["password2"].label = "New password again"


class PasswordResetKeyForm(NoAutofocusMixin, allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = "New password"
        self.fields["password2"].label = "New password again"


class PasswordResetForm(NoAutofocusMixin, forms.Form):
    """Asks for an email address and queues the reset: it never looks the address up, so
    it cannot tell anyone (by its reply or its timing) whether an account has it."""

    email = forms.EmailField(
        label="Your email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def save(self, request, **kwargs) -> str:
        email = self.cleaned_data["email"]
        password_reset_request(email=email)
        return email


class InvitationPasswordForm(NoAutofocusMixin, SetPasswordForm):
    pass


CODE_HELP = "The 6-digit code your authenticator app shows now, or one of your recovery codes."


class AuthenticateForm(NoAutofocusMixin, mfa_forms.AuthenticateForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = CODE_HELP


class ReauthenticateForm(NoAutofocusMixin, mfa_forms.ReauthenticateForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = CODE_HELP


class ActivateTOTPForm(NoAutofocusMixin, totp_forms.ActivateTOTPForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = "The 6-digit code the app shows for ASCRU2 Involvement."
