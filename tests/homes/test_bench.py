"""`manage.py bench` (issue 16) still measures every page it names: a tiny run, one round, in
the test database, so the harness cannot rot between the times someone runs `make bench`.
Times are never asserted; only that every page answered 200 and has its row."""

from io import StringIO
from unittest import mock

from django.core.management import CommandError, call_command, get_commands
from django.db import connection
from django.test import TestCase, override_settings

from homes.bench.pages import PAGES, TRIVIAL


class BenchTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with override_settings(DEBUG=True):
            if "seed_scale" in get_commands():
                call_command("seed_scale", "--factor", "1", stdout=StringIO())
            else:
                call_command("seed_demo", stdout=StringIO())

    def test_the_table_has_every_page_and_each_answered(self) -> None:
        out = StringIO()
        call_command(
            "bench", "--in-test-database", "--rounds", "1", "--import-rows", "10", stdout=out
        )
        text = out.getvalue()
        rows = {
            line.split(" | ")[0].lstrip("| "): line
            for line in text.splitlines()
            if line.startswith("| ")
        }
        for label in [TRIVIAL[0], *(page.label for page in PAGES)]:
            with self.subTest(page=label):
                self.assertIn(label, rows)
                self.assertNotIn("status", rows[label])  # every page answered 200
        self.assertIn("| page | queries N=1 | queries N=1 | median ms N=1 |", text)
        self.assertIn("reminders run, an hour later, nothing new due", text)
        self.assertIn("10 created", text)

    def test_it_refuses_to_measure_in_a_real_database(self) -> None:
        with (
            mock.patch.dict(connection.settings_dict, {"NAME": "ascru_pie"}),
            self.assertRaisesMessage(CommandError, "only runs on a test database"),
        ):
            call_command("bench", "--in-test-database", stdout=StringIO())
