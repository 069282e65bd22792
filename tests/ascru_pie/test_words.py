"""The words filters: how amounts, hours, counts and dates are said on every page."""

import datetime
from decimal import Decimal

from django.template import Context, Template
from django.test import SimpleTestCase, override_settings

from ascru_pie.templatetags import words


def render(text: str, **context) -> str:
    return Template("{% load words %}" + text).render(Context(context))


@override_settings(TIME_ZONE="Europe/London", USE_TZ=True)
class WordsFiltersTest(SimpleTestCase):
    def test_pounds_always_show_pence_and_keep_the_sign(self) -> None:
        cases = [
            (Decimal("1234.5"), "£1,234.50"),
            (Decimal("-40"), "-£40.00"),
            (Decimal("0.005"), "£0.01"),
            ("12", "£12.00"),
            (None, ""),
        ]
        for value, said in cases:
            with self.subTest(value=value):
                self.assertEqual(render("{{ v|pounds }}", v=value), said)

    def test_no_amount_is_said_in_words(self) -> None:
        self.assertEqual(render('{{ v|pounds_or:"No budget set" }}', v=None), "No budget set")
        self.assertEqual(render('{{ v|pounds_or:"No budget set" }}', v=Decimal("5")), "£5.00")

    def test_hours_and_plurals(self) -> None:
        self.assertEqual(render("{{ v|hours }}", v=Decimal("1.00")), "1 hour")
        self.assertEqual(render("{{ v|hours }}", v=Decimal("2.50")), "2.5 hours")
        self.assertEqual(render("{{ v|hours_number }}", v=Decimal("3.00")), "3")
        self.assertEqual(render('{{ n|plural:"claim" }}', n=1), "1 claim")
        self.assertEqual(render('{{ n|plural:"claim" }}', n=0), "0 claims")
        self.assertEqual(render('{{ n|plural:"person,people" }}', n=3), "3 people")

    def test_dates_the_way_people_say_them(self) -> None:
        moment = datetime.datetime(2026, 3, 3, 10, 30, tzinfo=datetime.UTC)
        self.assertEqual(render("{{ v|date_words }}", v=moment), "Tuesday 3 March 2026")
        self.assertEqual(render("{{ v|date_words }}", v=moment.date()), "Tuesday 3 March 2026")
        self.assertEqual(render("{{ v|day }}", v=moment.date()), "3 March 2026")
        self.assertEqual(render("{{ v|time_words }}", v=moment), "10:30am")
        self.assertEqual(render("{{ v|deadline_words }}", v=moment), "3 March 2026 at 10:30am")

    def test_text_helpers_match_the_filters(self) -> None:
        self.assertEqual(words.pounds_text(Decimal("-1")), "-£1.00")
        self.assertEqual(words.plural_text(2, "day"), "2 days")
