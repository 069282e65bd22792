"""Small helpers every view with a form uses."""

import re

from django import forms
from django.http import HttpRequest, QueryDict


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data to bind a form to, or None on GET.

    Not `request.POST or None`: an empty POST must still be a bound (and checked) form.
    """
    return request.POST if request.method == "POST" else None


# Pounds as people type them: "12.40", "£12.40", "£ 1,234.50", "-5" (a minus sign is kept so
# the field's min_value message, not a puzzling "invalid", answers it). No exponents ("1e9"),
# no other symbols. Commas only as thousands separators.
_MONEY = re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d*)?|-?\.\d+")


class MoneyField(forms.DecimalField):
    """A DecimalField for an amount in pounds that accepts a £ sign, spaces and thousands commas.

    Always a text box (not type=number, which refuses "£" in the browser before we can help).
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        # DecimalField adds step/min/max for number inputs only; a text box needs none.
        return forms.Field.widget_attrs(self, widget)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = re.sub(r"[\s\u00a0]", "", str(value))
        text = "-" + text[2:] if text.startswith("-£") else text.removeprefix("£")
        if not _MONEY.fullmatch(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(text.replace(",", ""))
