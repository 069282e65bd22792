"""The error summary at the top of a form says each message once (issue 14).

`{% error_summary_given form %}` (in templates/includes/_error_summary.html) marks the form,
so crispy's box of non-field errors above the form (templates/bootstrap5/errors.html) is not
drawn as well: the summary lists them, and each field shows its own message once, below it.
A form whose page has no summary keeps crispy's box, so no message is lost.
"""

from django import template

register = template.Library()


@register.simple_tag
def error_summary_given(*forms) -> str:
    for form in forms:
        if form is not None and hasattr(form, "errors"):
            form.errors_in_summary = True
    return ""
