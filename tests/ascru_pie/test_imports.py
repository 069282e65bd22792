"""The shared pieces every import door uses: UK dates, the formula quote and its undoing."""

import datetime

from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st

from ascru_pie.lib.exports import cell_safe, cell_unescape
from ascru_pie.lib.imports import DateRefused, parse_uk_date

APRIL_3 = datetime.date(2025, 4, 3)


class UKDatesTest(SimpleTestCase):
    def test_the_forms_people_write_are_read_the_uk_way(self) -> None:
        for value in (
            "03/04/2025",
            "3/4/2025",
            "03-04-2025",
            "03.04.2025",
            "2025-04-03",
            "3 Apr 2025",
            "3 April 2025",
            "3rd April 2025",
            "03-Apr-2025",
            " 3 apr 2025 ",
            datetime.datetime(2025, 4, 3, 0, 0),
            APRIL_3,
        ):
            with self.subTest(value=value):
                self.assertEqual(parse_uk_date(value), APRIL_3)

    def test_empty_is_no_date(self) -> None:
        for value in (None, "", "  "):
            with self.subTest(value=value):
                self.assertIsNone(parse_uk_date(value))

    def test_ambiguous_impossible_and_non_dates_are_refused_saying_why(self) -> None:
        for value, message in (
            ("03/04/25", "“03/04/25” has a two-digit year, which could be any century"),
            ("04/13/2025", "“04/13/2025” reads as month/day/year"),
            ("31/02/2026", "“31/02/2026” is not a real date: February 2026 has 28 days."),
            ("29/02/2024", None),
            ("2025-13-01", "“2025-13-01” is not a real date: there is no month 13."),
            ("13/13/2025", "“13/13/2025” is not a real date: there is no month 13."),
            ("April 3, 2025", "“April 3, 2025” is not a date"),
            ("3 Smarch 2025", "“3 Smarch 2025” is not a date"),
            (45750, "“45750” is a number, not a date"),
        ):
            with self.subTest(value=value):
                if message is None:
                    self.assertEqual(parse_uk_date(value), datetime.date(2024, 2, 29))
                    continue
                with self.assertRaises(DateRefused) as caught:
                    parse_uk_date(value)
                self.assertIn(message, str(caught.exception))


class FormulaQuoteTest(SimpleTestCase):
    def test_what_a_spreadsheet_would_run_is_quoted(self) -> None:
        for value, safe in (
            ("=1+1", "'=1+1"),
            ("+44 7700 900123", "'+44 7700 900123"),
            ("-5", "'-5"),
            ("@SUM(A1)", "'@SUM(A1)"),
            (" =1+1", "' =1+1"),
            ("\n=1+1", "'\n=1+1"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'=1+1", "''=1+1"),
            ("'Tis", "'Tis"),
            ("Zoë", "Zoë"),
            (" Zoë", " Zoë"),
            ("a=b", "a=b"),
        ):
            with self.subTest(value=value):
                self.assertEqual(cell_safe(value), safe)
                self.assertEqual(cell_unescape(safe), value)

    def test_numbers_and_dates_are_left_alone(self) -> None:
        for value in (-5, 2.5, APRIL_3, None):
            with self.subTest(value=value):
                self.assertEqual(cell_safe(value), value)
                self.assertEqual(cell_unescape(value), value)

    @given(
        st.text(
            alphabet=st.characters(blacklist_categories=["Cs", "Cc"])
            | st.sampled_from("'=+-@ \n\t\r")
        )
    )
    def test_the_quote_is_always_undone_exactly(self, text: str) -> None:
        # Control characters Excel refuses are dropped on export; everything else comes back.
        self.assertEqual(cell_unescape(cell_safe(text)), text)
