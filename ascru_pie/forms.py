from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm


class NoAutofocusMixin:
    """Django autofocuses the first field; that skips the skip link, heading and intro
    for keyboard and screen-reader users, so we take it off."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)


class LoginForm(NoAutofocusMixin, AuthenticationForm):
    pass


class AccessiblePasswordChangeForm(NoAutofocusMixin, PasswordChangeForm):
    pass
