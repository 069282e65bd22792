"""One way to say money, times, dates and hours to people (issue 14, "Readable and
consistent"): every template uses the `words` filters (`{% load words %}`), never a raw
amount, an ISO date, a 24-hour or "3:00 PM" time, a number of hours or a status code.

The house style, from ascru_pie/templatetags/words.py: £6,318.40 (`|pounds`), 10:30am and
"Tuesday 3 March 2026, 10am to 12:30pm" (`|time_words`, `|when_words`), 3 March 2026
(`|day`, `|date_words`), "1 hour" and "2.5 hours" (`|hours`).
"""

from __future__ import annotations

import re
from pathlib import Path

from django.test import SimpleTestCase

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

# (name, pattern, what to write instead). Each pattern finds one raw way of saying a value.
RULES = [
    (
        "raw money",
        # £ then a variable that does not go through |pounds (e.g. £{{ x }}, £{{ x|floatformat }}).
        re.compile(r"£\{\{(?![^}]*\|pounds)[^}]*\}\}"),
        "{{ amount|pounds }} (it writes the £ and the pence: £6,318.40)",
    ),
    (
        "ISO date",
        # Y-m-d shown as text; a form field's value="..." must stay ISO, so that is allowed.
        re.compile(r"(?<!value=\")\{\{[^}]*\|date:\"Y-m-d\"[^}]*\}\}"),
        "{{ value|day }} (3 March 2026) or {{ value|date_words }}",
    ),
    (
        "abbreviated month",
        re.compile(r"\|date:\"[^\"]*\bM\b[^\"]*\""),
        "{{ value|day }} (3 March 2026: months in full)",
    ),
    (
        "clock time",
        # 24-hour H:i or "3:00 PM": our one style is 10am, 10:30am, midday.
        re.compile(r"\|date:\"[^\"]*(H:i|g:i A|g:i a|G:i)[^\"]*\""),
        "{{ moment|time_words }} or {{ meeting|when_words }} (10:30am to 12:30pm)",
    ),
    (
        "hours as a bare number",
        re.compile(r"\|floatformat(:\"[^\"]*\"|:-?\d+)?\s*\}\}\s*(h|hours?)\b"),
        "{{ value|hours }} (1 hour, 2.5 hours)",
    ),
    (
        "status code",
        # A form's value="…" is read by the server, not by people (as for dates above).
        re.compile(r"(?<!value=\")\{\{\s*[\w.]*\.status\s*\}\}"),
        "{{ obj.get_status_display }} or the app's status words filter",
    ),
]

# Templates still to be put right, as (template, rule): the test below fails when one of them
# is fixed, so that it is taken off this list. Empty now: every template says values in words.
KNOWN: set[tuple[str, str]] = set()


def _findings() -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix not in {".html", ".txt"} or not path.is_file():
            continue
        name = path.relative_to(TEMPLATES).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for rule, pattern, _ in RULES:
                for match in pattern.finditer(line):
                    found.setdefault((name, rule), []).append(f"{name}:{number}: {match.group(0)}")
    return found


class TemplateWordsTests(SimpleTestCase):
    def test_templates_say_money_dates_times_hours_and_statuses_in_words(self):
        found = _findings()
        advice = {rule: instead for rule, _, instead in RULES}
        lines = [
            f"{where}  [{rule}: use {advice[rule]}]"
            for (name, rule), wheres in found.items()
            if (name, rule) not in KNOWN
            for where in wheres
        ]
        self.assertEqual(lines, [], "raw values shown to people:\n" + "\n".join(lines))

    def test_the_known_list_only_holds_templates_still_to_fix(self):
        fixed = sorted(KNOWN - set(_findings()))
        self.assertEqual(fixed, [], "fixed now: take these off KNOWN")

    def test_each_rule_catches_its_raw_pattern_and_not_the_filter(self):
        # A literal table: the raw text each rule must catch, and the right way it must pass.
        examples = {
            "raw money": ("£{{ plan.budget_total }}", "{{ plan.budget_total|pounds }}"),
            "ISO date": (
                '<p>{{ day|date:"Y-m-d" }}</p>',
                '<input type="hidden" value="{{ day|date:"Y-m-d" }}">',
            ),
            "abbreviated month": ('{{ d|date:"j M Y" }}', '{{ d|date:"j F Y" }}'),
            "clock time": ('{{ m.starts_at|date:"H:i" }}', "{{ m.starts_at|time_words }}"),
            "hours as a bare number": ('{{ h|floatformat:"-2" }} hours', "{{ h|hours }}"),
            "status code": ("{{ claim.status }}", "{{ claim.get_status_display }}"),
        }
        patterns = {rule: pattern for rule, pattern, _ in RULES}
        self.assertEqual(set(examples), set(patterns))
        for rule, (raw, right) in examples.items():
            with self.subTest(rule=rule):
                self.assertIsNotNone(patterns[rule].search(raw))
                self.assertIsNone(patterns[rule].search(right))
