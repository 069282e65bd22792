"""Each error message is said once (issue 14): the summary at the top lists every message
and links to the field; the field shows its own message once, below it; a message about
the whole form (a non-field error) is in the summary only, not again in crispy's box."""

from __future__ import annotations

from django import forms
from django.template import Context, Template
from django.test import SimpleTestCase

PAGE = Template(
    "{% load crispy_forms_tags %}"
    '{% include "includes/_error_summary.html" with form=form %}'
    "{{ form|crispy }}"
)
NO_SUMMARY = Template("{% load crispy_forms_tags %}{{ form|crispy }}")


class DatesForm(forms.Form):
    start = forms.DateField(label="First day")
    end = forms.DateField(label="Last day")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError("The last day must be on or after the first day.")
        return data


class ErrorSummaryTests(SimpleTestCase):
    def test_a_message_about_the_whole_form_is_said_once_in_the_summary(self):
        form = DatesForm(data={"start": "2026-03-10", "end": "2026-03-01"})
        self.assertFalse(form.is_valid())
        html = PAGE.render(Context({"form": form}))
        self.assertEqual(html.count("The last day must be on or after the first day."), 1)
        self.assertIn('id="error-summary"', html)

    def test_a_field_message_is_a_link_in_the_summary_and_said_once_at_the_field(self):
        form = DatesForm(data={"start": "2026-03-10", "end": ""})
        self.assertFalse(form.is_valid())
        html = PAGE.render(Context({"form": form}))
        # Once as the summary's link to the field, once below the field itself.
        self.assertEqual(html.count("This field is required."), 2)
        self.assertIn('<a href="#id_end">This field is required.</a>', html)

    def test_without_a_summary_crispy_still_shows_the_message_about_the_whole_form(self):
        form = DatesForm(data={"start": "2026-03-10", "end": "2026-03-01"})
        self.assertFalse(form.is_valid())
        html = NO_SUMMARY.render(Context({"form": form}))
        self.assertEqual(html.count("The last day must be on or after the first day."), 1)
